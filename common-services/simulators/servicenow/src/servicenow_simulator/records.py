"""Validated writes (insert, update, delete) with the business rules of incidents and changes.

Like the real Table API, unknown and read-only fields are silently ignored (their names are
returned so sn_chg_rest can list them in `__meta.ignoredFields`). Unlike a real instance, which
stores any string in a choice field and answers data-policy failures with 403, the simulator
rejects invalid choices, references and dates, and missing mandatory fields, with 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from servicenow_simulator import changes
from servicenow_simulator.errors import SNError, acl_denied, bad_request
from servicenow_simulator.schema import TABLES, Field, all_fields, is_a
from servicenow_simulator.state import Instance, Row, now_text

__all__ = ["create", "delete", "update"]

_SYS_ID = re.compile(r"^[0-9a-f]{32}$")
_RESOLVED, _CLOSED, _CANCELED = "6", "7", "8"
# Priority = f(impact, urgency), the default data lookup rule of a real instance.
_PRIORITY = {("1", "1"): "1", ("1", "2"): "2", ("2", "1"): "2", ("1", "3"): "3",
             ("2", "2"): "3", ("3", "1"): "3", ("2", "3"): "4", ("3", "2"): "4"}  # fmt: skip


def create(
    instance: Instance,
    table: str,
    payload: Mapping[str, object],
    *,
    user: str,
    input_display: bool = False,
) -> tuple[Row, list[str]]:
    """Insert a record after validation; returns it and the ignored field names."""
    if not TABLES[table].writable:
        raise acl_denied("Insert")
    values, notes, ignored = _coerce(instance, table, payload, input_display, creating=True)
    after: Row = {**TABLES[table].defaults, **values}
    extra = _rules(instance, table, None, after, user)
    if is_a(table, "task"):
        extra.update(opened_by=instance.user_id(user), opened_at=now_text())
    row = instance.insert(table, {**values, **extra}, user=user)
    for element, text in notes:
        instance.journal(table, row, element, text, user=user)
    return row, ignored


def update(
    instance: Instance,
    table: str,
    row: Row,
    payload: Mapping[str, object],
    *,
    user: str,
    input_display: bool = False,
) -> tuple[Row, list[str]]:
    """Update a record after validation; returns it and the ignored field names."""
    actual = instance.class_of(table, row)
    if not TABLES[actual].writable or not TABLES[table].writable:
        raise acl_denied("Update")
    if actual == "incident" and row["state"] in (_CLOSED, _CANCELED):
        raise acl_denied("Update")  # closed incidents are read-only for itil users
    values, notes, ignored = _coerce(instance, actual, payload, input_display, creating=False)
    old_state = row.get("state", "")
    extra = _rules(instance, actual, row, {**row, **values}, user)
    changed = {k: v for k, v in {**values, **extra}.items() if row.get(k) != v}
    if changed or notes:
        instance.update(row, changed, user=user)
    for element, text in notes:
        instance.journal(actual, row, element, text, user=user)
    if actual == "change_request":
        changes.after_update(instance, row, old_state, user)
    return row, ignored


def delete(instance: Instance, table: str, row: Row) -> None:
    """Delete a record the integration user may delete."""
    if not TABLES[instance.class_of(table, row)].writable or not TABLES[table].writable:
        raise acl_denied("Delete")
    instance.delete(table, row["sys_id"])


def _rules(instance: Instance, table: str, before: Row | None, after: Row, user: str) -> Row:
    extra: Row = {}
    if table in ("incident", "change_request"):
        if not after.get("short_description", "").strip():
            raise bad_request(
                "Data Policy Exception", "The following fields are mandatory: Short description"
            )
        impact, urgency = after.get("impact", "3"), after.get("urgency", "3")
        extra["priority"] = _PRIORITY.get((impact, urgency), "5")
    if table == "incident":
        extra.update(_incident(instance, before, after, user))
    elif table == "change_request":
        extra.update(changes.before_write(instance, before, after, user))
    return extra


def _incident(instance: Instance, before: Row | None, after: Row, user: str) -> Row:
    state, old = after.get("state") or "1", (before or {}).get("state", "")
    extra: Row = {"incident_state": state}
    if state in (_RESOLVED, _CLOSED) and not (after.get("close_code") and after.get("close_notes")):
        raise bad_request(
            "Data Policy Exception",
            "The following fields are mandatory: Resolution code, Resolution notes "
            "(close_code and close_notes are required to resolve or close an incident)",
        )
    if state == _RESOLVED and old != _RESOLVED:
        extra.update(resolved_at=now_text(), resolved_by=instance.user_id(user))
    if state == _CLOSED:
        if not after.get("resolved_at"):
            extra.update(resolved_at=now_text(), resolved_by=instance.user_id(user))
        extra.update(closed_at=now_text(), closed_by=instance.user_id(user), active="false")
    if state == _CANCELED:
        extra["active"] = "false"
    if old == _RESOLVED and state in ("1", "2", "3"):
        extra.update(resolved_at="", resolved_by="")  # reopened
    return extra


def _coerce(
    instance: Instance,
    table: str,
    payload: Mapping[str, object],
    input_display: bool,
    *,
    creating: bool,
) -> tuple[Row, list[tuple[str, str]], list[str]]:
    fields = all_fields(table)
    values: Row = {}
    notes: list[tuple[str, str]] = []
    ignored: list[str] = []
    for name, raw in payload.items():
        field = fields.get(name)
        if field is None or (field.read_only and not (creating and name == "sys_id")):
            ignored.append(name)
            continue
        if isinstance(raw, dict | list):
            raise bad_request(f"Invalid value for field {name}", "Expected a string value")
        text = "" if raw is None else str(raw).lower() if isinstance(raw, bool) else str(raw)
        if field.kind == "journal":
            if text.strip():
                notes.append((name, text))
            continue
        values[name] = _check(instance, field, text, input_display)
    if "sys_id" in values and (
        not _SYS_ID.match(values["sys_id"]) or instance.exists(values["sys_id"])
    ):
        raise bad_request("Invalid value for field sys_id", "Expected an unused 32-hex sys_id")
    return values, notes, ignored


def _check(instance: Instance, field: Field, text: str, input_display: bool) -> str:
    if text == "" or field.kind in ("string", "journal"):
        return text
    if field.kind == "choice":
        if any(value == text for value, _ in field.choices):
            return text
        by_label = [v for v, label in field.choices if label.lower() == text.lower()]
        if input_display and by_label:
            return by_label[0]
        allowed = ", ".join(f"{v} ({label})" for v, label in field.choices)
        raise _invalid(field, f"'{text}' is not a valid choice; allowed: {allowed}")
    if field.kind == "reference":
        if instance.get(field.ref, text) is not None:
            return text
        # Like GlideRecord, a non-sys_id value is looked up by the target's display value.
        display = TABLES[field.ref].display
        found = instance.find(field.ref, display, text) if display else None
        if found is None:
            raise _invalid(field, f"No {field.ref} record matches '{text}'")
        return found["sys_id"]
    if field.kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise _invalid(field, "Expected true or false")
        return text.lower()
    if field.kind == "integer":
        if not re.fullmatch(r"-?\d+", text):
            raise _invalid(field, "Expected an integer")
        return text
    return _datetime(field, text)


def _datetime(field: Field, text: str) -> str:
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
    raise _invalid(field, "Expected a date and time as YYYY-MM-DD HH:MM:SS (UTC)")


def _invalid(field: Field, detail: str) -> SNError:
    return bad_request(f"Invalid value for field {field.name} ({field.label})", detail)
