"""Encoded query parser and evaluator (`sysparm_query`): `^`, `^OR`, `^NQ`, operators, ORDERBY.

Like a real instance with the default `glide.invalid_query.returns_no_rows=false`, a condition
on an unknown field (or a term that does not parse) is ignored and the rest of the query still
applies; `invalid_returns_no_rows=True` mimics instances that set the property to true.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from servicenow_simulator.schema import is_a

__all__ = ["Condition", "Getter", "Query", "matcher", "parse", "sort_rows"]

Row = Mapping[str, str]
# (row, dotted path) -> (value, display value, field kind), or None when the path is unknown.
Getter = Callable[[Row, str], "tuple[str, str, str] | None"]

_OPERATORS = (
    "ISNOTEMPTY", "ISEMPTY", "NOT LIKE", "NOT IN", "STARTSWITH", "ENDSWITH", "INSTANCEOF",
    "BETWEEN", "ANYTHING", "LIKE", "IN", "!=", ">=", "<=", "=", ">", "<",
)  # fmt: skip
_CONDITION = re.compile(
    r"^([a-z0-9_][a-z0-9_.]*?)(" + "|".join(re.escape(op) for op in _OPERATORS) + r")(.*)$",
    re.DOTALL,
)
# Operators that compare text; on a reference field they look at the display value, as the
# list filters of a real instance do ("assignment_groupLIKEnetwork").
_TEXT_OPS = frozenset({"LIKE", "NOT LIKE", "STARTSWITH", "ENDSWITH"})


@dataclass(frozen=True, slots=True)
class Condition:
    """One `field<operator>value` term."""

    field: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed encoded query: NQ groups of AND clauses of OR conditions, plus ordering."""

    groups: tuple[tuple[tuple[Condition, ...], ...], ...]
    order_by: tuple[tuple[str, bool], ...]
    unparsed: tuple[str, ...]

    def fields(self) -> set[str]:
        """Every field path named by a condition."""
        return {c.field for group in self.groups for clause in group for c in clause}


def parse(encoded: str) -> Query:
    """Parse an encoded query; terms that do not parse are kept in `unparsed`."""
    groups: list[tuple[tuple[Condition, ...], ...]] = []
    order: list[tuple[str, bool]] = []
    unparsed: list[str] = []
    for chunk in encoded.split("^NQ"):
        clauses: list[list[Condition]] = []
        for term in chunk.split("^"):
            if term in ("", "EQ"):
                continue
            if term.startswith("ORDERBYDESC"):
                order.append((term[len("ORDERBYDESC") :], True))
            elif term.startswith("ORDERBY"):
                order.append((term[len("ORDERBY") :], False))
            elif term.startswith("OR") and clauses:
                condition = _condition(term[2:])
                if condition is None:
                    unparsed.append(term)
                else:
                    clauses[-1].append(condition)
            else:
                condition = _condition(term)
                if condition is None:
                    unparsed.append(term)
                else:
                    clauses.append([condition])
        if clauses:
            groups.append(tuple(tuple(clause) for clause in clauses))
    return Query(tuple(groups), tuple(order), tuple(unparsed))


def _condition(term: str) -> Condition | None:
    found = _CONDITION.match(term)
    if found is None:
        return None
    return Condition(found.group(1), found.group(2), found.group(3))


def matcher(
    query: Query,
    valid: Callable[[str], bool],
    get: Getter,
    *,
    invalid_returns_no_rows: bool = False,
) -> Callable[[Row], bool]:
    """A predicate for the query; invalid conditions are dropped (or match nothing)."""
    has_invalid = bool(query.unparsed) or any(not valid(f) for f in query.fields())
    if has_invalid and invalid_returns_no_rows:
        return lambda row: False
    groups = [[[c for c in clause if valid(c.field)] for clause in group] for group in query.groups]
    groups = [[clause for clause in group if clause] for group in groups]
    if not groups:
        return lambda row: True

    def test(row: Row) -> bool:
        return any(
            all(any(_holds(c, get(row, c.field)) for c in clause) for clause in group)
            for group in groups
        )

    return test


def _holds(cond: Condition, resolved: tuple[str, str, str] | None) -> bool:
    if resolved is None:
        return False
    value, display, kind = resolved
    target = display if kind == "reference" and cond.op in _TEXT_OPS else value
    actual, wanted = target.lower(), cond.value.lower()
    op = cond.op
    if op == "ANYTHING":
        return True
    if op in ("ISEMPTY", "ISNOTEMPTY"):
        return (target == "") == (op == "ISEMPTY")
    if op in ("IN", "NOT IN"):
        options = {part.strip().lower() for part in cond.value.split(",")}
        return (actual in options) == (op == "IN")
    if op == "INSTANCEOF":
        return is_a(value, cond.value) if _known_table(cond.value) else False
    if op in ("=", "!="):
        return (actual == wanted) == (op == "=")
    if op in ("LIKE", "NOT LIKE"):
        return (wanted in actual) == (op == "LIKE")
    if op == "STARTSWITH":
        return actual.startswith(wanted)
    if op == "ENDSWITH":
        return actual.endswith(wanted)
    if value == "":
        return False  # empty values never satisfy an ordering comparison (SQL NULL)
    if op == "BETWEEN":
        low, _, high = cond.value.partition("@")
        return _compare(value, low) >= 0 and _compare(value, high) <= 0
    sign = _compare(value, cond.value)
    return {">": sign > 0, "<": sign < 0, ">=": sign >= 0, "<=": sign <= 0}[op]


def _known_table(name: str) -> bool:
    try:
        is_a(name, name)
    except KeyError:
        return False
    return True


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(left: str, right: str) -> int:
    """Numbers compare as numbers; anything else (dates included) as text."""
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    return (left > right) - (left < right)


def sort_rows(rows: Iterable[Row], order_by: Iterable[tuple[str, bool]], get: Getter) -> list[Row]:
    """Rows sorted by each ORDERBY/ORDERBYDESC in turn (stable; unknown fields ignored)."""
    result = list(rows)
    for path, descending in reversed(list(order_by)):

        def key(row: Row, path: str = path) -> tuple[int, float, str]:
            resolved = get(row, path)
            if resolved is None or resolved[0] == "":
                return (0, 0.0, "")  # empty sorts first ascending, like NULL in the database
            value, display, kind = resolved
            text = display if kind == "reference" else value
            number = _number(text) if kind in ("integer", "choice") else None
            return (1, number, "") if number is not None else (2, 0.0, text.lower())

        result.sort(key=key, reverse=descending)
    return result
