"""Encoded queries built from typed filters: allow-listed fields, operators and safe values.

ServiceNow has no escape for `^` inside a value, so a value is refused (never escaped) when it
could end the condition and start another one, or carry script (`javascript:`, `gs.`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Self

from .errors import UnsafeQuery

__all__ = [
    "FIELDS",
    "OPERATORS",
    "QueryBuilder",
    "check_value",
    "parse_fragment",
]

_TASK = frozenset({
    "number", "short_description", "description", "state", "priority", "impact", "urgency",
    "active", "assignment_group", "assignment_group.name", "assigned_to", "assigned_to.name",
    "assigned_to.user_name", "cmdb_ci", "cmdb_ci.name", "correlation_id", "opened_at",
    "closed_at", "sys_id", "sys_created_on", "sys_updated_on", "close_code", "approval",
})  # fmt: skip
# Fields a filter may name, per table (dot-walks only where listed).
FIELDS: dict[str, frozenset[str]] = {
    "incident": _TASK | {"category", "subcategory", "caller_id", "caller_id.name",
                         "caller_id.user_name", "contact_type", "resolved_at", "hold_reason"},
    "change_request": _TASK | {"type", "risk", "category", "start_date", "end_date",
                               "requested_by", "requested_by.name", "requested_by.user_name",
                               "on_hold"},
    "sysapproval_approver": frozenset({"sysapproval", "state", "approver",
                                       "approver.user_name", "sys_updated_on"}),
    "cmdb_ci": frozenset({"sys_id", "name", "ip_address", "serial_number", "sys_class_name",
                          "correlation_id", "operational_status", "install_status",
                          "location", "location.name", "support_group", "mac_address"}),
    "cmdb_rel_ci": frozenset({"parent", "child", "type", "type.name"}),
}  # fmt: skip

# Longest first, so `NOT LIKE` wins over `LIKE` and `<=` over `<`.
OPERATORS: tuple[str, ...] = (
    "ISNOTEMPTY", "ISEMPTY", "NOT LIKE", "NOT IN", "STARTSWITH", "ENDSWITH",
    "LIKE", "IN", "!=", ">=", "<=", "=", ">", "<",
)  # fmt: skip
_NO_VALUE = frozenset({"ISEMPTY", "ISNOTEMPTY"})
_LIST_OPS = frozenset({"IN", "NOT IN"})
_MAX_VALUE = 256
_MAX_TERMS = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_TERM = re.compile(
    r"^([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)("
    + "|".join(re.escape(op) for op in OPERATORS)
    + r")(.*)\Z",
    re.DOTALL,  # the value keeps every character, so check_value sees line breaks too
)


def check_value(value: str, *, name: str = "value") -> str:
    """Return `value` when it is safe inside an encoded query; raise UnsafeQuery otherwise."""
    if not isinstance(value, str):
        raise UnsafeQuery(f"{name} must be a string")
    if len(value) > _MAX_VALUE:
        raise UnsafeQuery(f"{name} is longer than {_MAX_VALUE} characters")
    if "^" in value:
        raise UnsafeQuery(
            f"{name} must not contain '^': ServiceNow cannot escape it inside a query value, "
            "so it would start another condition"
        )
    if _CONTROL.search(value):
        raise UnsafeQuery(f"{name} must not contain line breaks or control characters")
    if ";" in value:
        raise UnsafeQuery(f"{name} must not contain ';'")
    squashed = "".join(value.split()).casefold()
    if "javascript:" in squashed:
        raise UnsafeQuery(f"{name} must not contain 'javascript:' (script in a query)")
    if "gs." in squashed:
        raise UnsafeQuery(f"{name} must not contain 'gs.' (server-side script API)")
    return value


def _check_field(table: str, field: str) -> str:
    allowed = FIELDS[table]
    if field not in allowed:
        raise UnsafeQuery(
            f"field '{field}' cannot be used in a {table} filter; allowed: "
            + ", ".join(sorted(allowed))
        )
    return field


def _render(table: str, field: str, op: str, value: str | Sequence[str]) -> str:
    """One `field<op>value` condition, every part checked."""
    _check_field(table, field)
    if op not in OPERATORS:
        raise UnsafeQuery(f"operator '{op}' is not supported; use one of {', '.join(OPERATORS)}")
    if op in _NO_VALUE:
        if value:
            raise UnsafeQuery(f"operator {op} takes no value")
        return f"{field}{op}"
    items = [value] if isinstance(value, str) else list(value)
    if op in _LIST_OPS:
        if not items:
            raise UnsafeQuery(f"{field}{op} needs at least one value")
        for item in items:
            if "," in check_value(item, name=f"a value of {field}"):
                raise UnsafeQuery(f"a value of {field} for {op} must not contain ','")
        return f"{field}{op}{','.join(items)}"
    if len(items) != 1:
        raise UnsafeQuery(f"operator {op} takes exactly one value")
    return f"{field}{op}{check_value(items[0], name=field)}"


class QueryBuilder:
    """Builds a `sysparm_query` for one table from conditions that are all checked."""

    def __init__(self, table: str) -> None:
        if table not in FIELDS:
            raise ValueError(f"no query allow-list for table {table!r}")
        self.table = table
        self._terms: list[str] = []
        self._order: list[str] = []

    def where(self, field: str, op: str, value: str | Sequence[str] = "") -> Self:
        """AND one condition."""
        self._terms.append(_render(self.table, field, op, value))
        return self

    def where_given(
        self, conditions: Iterable[tuple[str, str, str | Sequence[str] | None]]
    ) -> Self:
        """AND each condition whose value was given (None, blank and empty are left out)."""
        for field, op, value in conditions:
            if value:
                self.where(field, op, value)
        return self

    def where_any(self, conditions: Iterable[tuple[str, str, str | Sequence[str]]]) -> Self:
        """AND one group of OR-ed conditions (`a^ORb`)."""
        parts = [_render(self.table, f, op, v) for f, op, v in conditions]
        if not parts:
            raise ValueError("where_any needs at least one condition")
        self._terms.append("^OR".join(parts))
        return self

    def fragment(self, text: str | None) -> Self:
        """AND a caller-supplied fragment after strict validation (see `parse_fragment`)."""
        if text and text.strip():
            for field, op, value in parse_fragment(self.table, text):
                self.where(field, op, value)
        return self

    def order_by(self, field: str, *, descending: bool = False) -> Self:
        """Sort by an allow-listed field."""
        _check_field(self.table, field)
        self._order.append(("ORDERBYDESC" if descending else "ORDERBY") + field)
        return self

    def build(self) -> str:
        """The encoded query."""
        return "^".join(self._terms + self._order)

    def __str__(self) -> str:
        return self.build()


def parse_fragment(table: str, text: str) -> list[tuple[str, str, str | list[str]]]:
    """Split a caller's `field<op>value^field<op>value` fragment into checked conditions.

    Only AND-ed conditions on allow-listed fields are accepted: no `^OR`, `^NQ`, `ORDERBY`,
    `EQ`, dot-walks beyond the allow-list, script or control characters.
    """
    if table not in FIELDS:
        raise ValueError(f"no query allow-list for table {table!r}")
    if len(text) > _MAX_VALUE * 2:
        raise UnsafeQuery(f"query is longer than {_MAX_VALUE * 2} characters")
    terms = text.strip().split("^")
    if len(terms) > _MAX_TERMS:
        raise UnsafeQuery(f"query has more than {_MAX_TERMS} conditions")
    conditions: list[tuple[str, str, str | list[str]]] = []
    for term in terms:
        found = _TERM.match(term)
        if not term or found is None:
            raise UnsafeQuery(
                f"query condition '{check_value(term, name='query')}' is not `field<operator>"
                "value`; only AND-ed conditions are allowed (no ^OR, ^NQ, ORDERBY)"
            )
        field, op, raw = found.groups()
        value: str | list[str] = raw.split(",") if op in _LIST_OPS else raw
        _render(table, field, op, value)  # raises UnsafeQuery when any part is refused
        conditions.append((field, op, value))
    return conditions
