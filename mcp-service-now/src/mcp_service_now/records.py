"""Reading ServiceNow records whose fields are `{"value", "display_value"}` pairs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["MAX_TEXT", "display", "optional", "pick", "sn_datetime", "text", "value"]

MAX_TEXT = 2000  # long text (descriptions, journals) is cut so results stay model-sized


def value(record: Mapping[str, Any], name: str) -> str:
    """The stored value of a field (a sys_id for references, a code for choices)."""
    field = record.get(name)
    if isinstance(field, Mapping):
        field = field.get("value")
    return "" if field is None else str(field)


def display(record: Mapping[str, Any], name: str) -> str:
    """The display value of a field (a name for references, a label for choices)."""
    field = record.get(name)
    if isinstance(field, Mapping):
        shown = field.get("display_value")
        field = shown if shown not in (None, "") else field.get("value")
    return "" if field is None else str(field)


def optional(record: Mapping[str, Any], name: str) -> str | None:
    """The display value, or None when empty."""
    return display(record, name) or None


def text(record: Mapping[str, Any], name: str) -> str | None:
    """A long text field, cut to MAX_TEXT characters, or None when empty."""
    shown = display(record, name).strip()
    if not shown:
        return None
    return shown if len(shown) <= MAX_TEXT else shown[:MAX_TEXT] + " [...]"


def pick(
    record: Mapping[str, Any],
    read: Callable[[Mapping[str, Any], str], str | None],
    names: Mapping[str, str],
) -> dict[str, str | None]:
    """Result field -> `read(record, record field)`, for each pair of `names`."""
    return {name: read(record, field) for name, field in names.items()}


def sn_datetime(moment: datetime) -> str:
    """A datetime as ServiceNow stores it: UTC, `YYYY-MM-DD HH:MM:SS` (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
