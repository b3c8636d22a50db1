"""Argument types, checks and the search and update steps shared by the ServiceNow toolsets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from ..choices import Level, Risk
from ..client import Page, Record, ServiceNowClient
from ..errors import InvalidArgument
from ..lookups import resolve_task
from ..query import QueryBuilder, check_value
from ..records import sn_datetime

__all__ = [
    "Active",
    "Description",
    "Details",
    "Group",
    "Impact",
    "Limit",
    "Note",
    "Offset",
    "Person",
    "Query",
    "RiskLevel",
    "Summary",
    "Urgency",
    "Window",
    "Words",
    "assignment",
    "flag",
    "moment",
    "name_value",
    "present",
    "require_changes",
    "search_tasks",
    "update_task",
    "window",
]

Limit = Annotated[int, Field(ge=1, le=100, description="Page size (1-100)")]
Offset = Annotated[int, Field(ge=0, le=100_000, description="Records to skip (paging)")]
Details = Annotated[
    bool, Field(description="True: every useful field; false (default): a short summary")
]
Query = Annotated[
    str | None,
    Field(
        max_length=512,
        description="Advanced: extra AND-ed conditions in ServiceNow encoded-query syntax, "
        "e.g. 'priority<=2^categoryLIKEnet'. Only allow-listed fields and operators; no "
        "^OR, ^NQ, ORDERBY or script. Prefer the typed filters.",
    ),
]
Impact = Annotated[Level | None, Field(description="Business impact: high, medium or low")]
Urgency = Annotated[Level | None, Field(description="How soon it must be fixed")]
RiskLevel = Annotated[Risk | None, Field(description="Risk of the change")]
Description = Annotated[str | None, Field(max_length=4000, description="Full description")]
Note = Annotated[str | None, Field(max_length=4000, description="Internal work note")]
Group = Annotated[str | None, Field(max_length=80, description="Assignment group's name")]
Person = Annotated[str | None, Field(max_length=80, description="Person's name or sys_id")]
Window = Annotated[
    datetime | None, Field(description="ISO 8601 date-time; without a zone it is UTC")
]
Words = Annotated[str | None, Field(max_length=200, description="Words in the short description")]
Active = Annotated[bool | None, Field(description="True: open only; false: closed only")]
Summary = Annotated[str, Field(min_length=1, max_length=160, description="One-line summary")]


def name_value(value: str | None, what: str) -> str | None:
    """A name or sys_id given for a reference field; refused when it looks like script."""
    if value is None:
        return None
    cleaned = value.strip()
    if not cleaned:
        raise InvalidArgument(f"{what} must not be blank")
    return check_value(cleaned, name=what)


def assignment(group: str | None, person: str | None) -> dict[str, str | None]:
    """The assignment fields of an incident or change: group and person, by name or sys_id."""
    return {
        "assignment_group": name_value(group, "assignment_group"),
        "assigned_to": name_value(person, "assigned_to"),
    }


def window(start: datetime | None, end: datetime | None) -> dict[str, str]:
    """The planned window fields; the end must come after the start."""
    fields: dict[str, str] = {}
    if start is not None:
        fields["start_date"] = sn_datetime(start)
    if end is not None:
        fields["end_date"] = sn_datetime(end)
    if start is not None and end is not None and fields["end_date"] <= fields["start_date"]:
        raise InvalidArgument("planned_end must be after planned_start")
    return fields


def require_changes(values: Mapping[str, Any], what: str) -> None:
    """Refuse an update that would change nothing."""
    if not any(v not in (None, "") for v in values.values()):
        raise InvalidArgument(f"nothing to update on the {what}: give at least one field")


def present(values: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields the caller gave (sending the others would blank them)."""
    return {k: v for k, v in values.items() if v not in (None, "")}


def flag(given: bool | None) -> str | None:
    """A boolean filter as ServiceNow spells it; None when not given."""
    return None if given is None else ("true" if given else "false")


def moment(given: datetime | None) -> str | None:
    """A date-time filter as ServiceNow spells it; None when not given."""
    return None if given is None else sn_datetime(given)


async def search_tasks(
    client: ServiceNowClient,
    q: QueryBuilder,
    query: str | None,
    fields: Sequence[str],
    limit: int,
    offset: int,
) -> Page:
    """One page of `q` AND the caller's fragment, newest update first."""
    q.fragment(query).order_by("sys_updated_on", descending=True)
    return await client.list_records(
        q.table, query=q.build(), fields=fields, limit=limit, offset=offset
    )


async def update_task(
    client: ServiceNowClient,
    table: str,
    ref: str,
    values: Mapping[str, Any],
    write: Callable[[str, dict[str, Any]], Awaitable[Record]],
) -> Record:
    """Write the given fields to the incident or change `ref` names (a number or sys_id)."""
    require_changes(values, "change" if table == "change_request" else table)
    return await write(await resolve_task(client, table, ref), present(values))
