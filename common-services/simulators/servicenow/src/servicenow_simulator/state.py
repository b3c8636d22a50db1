"""In-memory tables of one simulated instance: storage, lookups, dot-walking and queries."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from servicenow_simulator import query as encoded
from servicenow_simulator.schema import TABLES, Field, all_fields, is_a, root_of

__all__ = ["Instance", "Row", "now_text", "seed_id"]

Row = dict[str, str]
_SEED_NS = uuid.UUID("2b7e1516-28ae-4d2a-a6ab-f7158809cf4f")


def now_text() -> str:
    """The current UTC time in the instance's `YYYY-MM-DD HH:MM:SS` format."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def seed_id(key: str) -> str:
    """A stable 32-hex sys_id for seeded records, so every run has the same ids."""
    return uuid.uuid5(_SEED_NS, key).hex


class Instance:
    """The tables of one instance; rows are dicts of strings, like GlideRecord values."""

    def __init__(self, *, invalid_query_returns_no_rows: bool = False) -> None:
        self.invalid_query_returns_no_rows = invalid_query_returns_no_rows
        self._rows: dict[str, dict[str, Row]] = {}
        self._numbers: dict[str, int] = {}
        self.clear()

    def clear(self) -> None:
        """Drop every record and restart the number counters."""
        self._rows = {root_of(name): {} for name in TABLES}
        self._numbers = {name: spec.number_start for name, spec in TABLES.items()}

    # ---- storage -------------------------------------------------------------------------

    def insert(self, table: str, values: Row, *, user: str, when: str | None = None) -> Row:
        """Store a new record of class `table`, filling sys fields and the number."""
        spec = TABLES[table]
        stamp = when or now_text()
        row: Row = {name: "" for name in all_fields(table)}
        row.update(spec.defaults)
        row.update(values)
        row["sys_id"] = values.get("sys_id") or uuid.uuid4().hex
        if "sys_class_name" in row:
            row["sys_class_name"] = table
        if spec.number_prefix and not row.get("number"):
            row["number"] = f"{spec.number_prefix}{self._numbers[table]:07d}"
            self._numbers[table] += 1
        row.update(
            sys_created_on=stamp, sys_updated_on=stamp, sys_created_by=user,
            sys_updated_by=user, sys_mod_count="0",
        )  # fmt: skip
        self._rows[root_of(table)][row["sys_id"]] = row
        return row

    def update(self, row: Row, values: Row, *, user: str) -> Row:
        """Apply changed values to a stored record and bump its update stamps."""
        row.update(values)
        row["sys_updated_on"] = now_text()
        row["sys_updated_by"] = user
        row["sys_mod_count"] = str(int(row.get("sys_mod_count") or "0") + 1)
        return row

    def journal(self, table: str, row: Row, element: str, text: str, *, user: str) -> None:
        """Append a work note / comment to a record's journal (sys_journal_field)."""
        values = {"element": element, "element_id": row["sys_id"], "name": table, "value": text}
        self.insert("sys_journal_field", values, user=user)

    def user_id(self, user_name: str) -> str:
        """The sys_id of a user by user_name ("" when unknown)."""
        found = self.find("sys_user", "user_name", user_name)
        return found["sys_id"] if found else ""

    def delete(self, table: str, sys_id: str) -> None:
        """Remove a record (no-op when absent)."""
        self._rows[root_of(table)].pop(sys_id, None)

    def exists(self, sys_id: str) -> bool:
        """Whether any table holds this sys_id (sys_ids are unique across the instance)."""
        return any(sys_id in rows for rows in self._rows.values())

    # ---- lookups -------------------------------------------------------------------------

    def get(self, table: str, sys_id: str) -> Row | None:
        """The record with this sys_id when it belongs to `table` (or a child of it)."""
        row = self._rows[root_of(table)].get(sys_id)
        if row is None or not is_a(self.class_of(table, row), table):
            return None
        return row

    def rows(self, table: str) -> list[Row]:
        """Every record of `table` and its children, in insertion order."""
        return [
            row
            for row in self._rows[root_of(table)].values()
            if is_a(self.class_of(table, row), table)
        ]

    @staticmethod
    def class_of(table: str, row: Mapping[str, str]) -> str:
        """The record's actual class (tables without sys_class_name have one class)."""
        return row.get("sys_class_name") or root_of(table)

    def find(self, table: str, field: str, value: str) -> Row | None:
        """The first record whose field equals value, case-insensitively."""
        wanted = value.lower()
        return next((r for r in self.rows(table) if r.get(field, "").lower() == wanted), None)

    def display(self, table: str, row: Row) -> str:
        """The display value of a record (its number, name, ...)."""
        spec = TABLES[self.class_of(table, row)]
        shown = row.get(spec.display, "")
        if spec.display in all_fields(spec.name) and all_fields(spec.name)[spec.display].ref:
            return self.ref_display(all_fields(spec.name)[spec.display], shown)
        return shown

    def ref_display(self, field: Field, sys_id: str) -> str:
        """The display value of the record a reference field points to ("" when dangling)."""
        target = self.get(field.ref, sys_id) if sys_id else None
        return self.display(field.ref, target) if target is not None else ""

    def resolve(self, table: str, row: Mapping[str, str], path: str) -> tuple[str, str, str] | None:
        """(value, display value, kind) of a possibly dot-walked field, None when unknown."""
        head, _, rest = path.partition(".")
        field = all_fields(self.class_of(table, row)).get(head) or all_fields(table).get(head)
        if field is None:
            return None
        value = row.get(head, "")
        if rest:
            if field.kind != "reference":
                return None
            target = self.get(field.ref, value) if value else None
            if target is None:
                return ("", "", "string") if valid_path(field.ref, rest) else None
            return self.resolve(field.ref, target, rest)
        if field.kind == "reference":
            return value, self.ref_display(field, value), field.kind
        if field.kind == "choice":
            return value, field.label_of(value), field.kind
        return value, value, field.kind

    # ---- queries -------------------------------------------------------------------------

    def select(self, table: str, sysparm_query: str) -> list[Row]:
        """The records of `table` matching an encoded query, in the order it asks for."""
        parsed = encoded.parse(sysparm_query)

        def get(row: encoded.Row, path: str) -> tuple[str, str, str] | None:
            return self.resolve(table, row, path)

        test = encoded.matcher(
            parsed,
            lambda path: valid_path(table, path),
            get,
            invalid_returns_no_rows=self.invalid_query_returns_no_rows,
        )
        matched = [row for row in self.rows(table) if test(row)]
        ordered = encoded.sort_rows(matched, parsed.order_by, get)
        return [row for row in ordered if isinstance(row, dict)]


def valid_path(table: str, path: str) -> bool:
    """Whether a dotted path names real fields, following references."""
    head, _, rest = path.partition(".")
    fields = all_fields(table)
    if head not in fields:
        return False  # a child class's field is unknown on the parent table, as on a real one
    if not rest:
        return True
    return fields[head].kind == "reference" and valid_path(fields[head].ref, rest)
