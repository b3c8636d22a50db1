"""How a tool's result is shown: lists of records as tables, anything else as readable JSON.

A result that is a list of objects is a table; an object with one such list (a page of
devices with its paging fields) is that table plus the other fields as a summary; any other
value is pretty-printed JSON (or the text the tool returned).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Table", "View", "view_of"]

_MAX_COLUMNS = 12
_MAX_ROWS = 500
_MAX_CELL = 200


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of records under common column names."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total_rows: int


@dataclass(frozen=True, slots=True)
class View:
    """What the result panel shows."""

    table: Table | None = None
    summary: tuple[tuple[str, str], ...] = ()
    text: str | None = None  # pretty JSON or plain text
    raw_json: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool | int | float):
        text = json.dumps(value)
    else:
        text = json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


def _records(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str | bytes)
        and len(value) > 0
        and all(isinstance(item, Mapping) for item in value)
    )


def _table(title: str, records: Sequence[Mapping[str, Any]]) -> Table:
    columns: list[str] = []
    for record in records:
        for key in record:
            if key not in columns:
                columns.append(str(key))
    # Scalars first: a table of ids and names reads better than one of nested objects.
    scalar = [c for c in columns if all(not isinstance(r.get(c), Mapping | list) for r in records)]
    ordered = (scalar + [c for c in columns if c not in scalar])[:_MAX_COLUMNS]
    rows = tuple(tuple(_cell(r.get(c)) for c in ordered) for r in records[:_MAX_ROWS])
    return Table(title, tuple(ordered), rows, len(records))


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def view_of(value: Any) -> View:
    """The view of a tool result value (structured content, or the tool's text)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return View(text=value, raw_json=json.dumps(value))
    raw = _pretty(value)
    if _records(value):
        return View(table=_table("Result", value), raw_json=raw)
    if isinstance(value, Mapping):
        lists = [k for k, v in value.items() if _records(v)]
        if len(lists) == 1:
            key = lists[0]
            summary = tuple(
                (str(k), _cell(v)) for k, v in value.items() if k != key and not _records(v)
            )
            title = key.replace("_", " ").capitalize()
            return View(table=_table(title, value[key]), summary=summary, raw_json=raw)
    return View(text=raw, raw_json=raw)
