"""Incident tools: search and read (read); create, update and resolve (write)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated, Any

from pydantic import Field

from mcp_common.server import Toolset

from ..choices import (
    INCIDENT_STATES,
    LEVELS,
    IncidentCategory,
    IncidentCloseCode,
    IncidentState,
    IncidentTarget,
)
from ..client import Record, ServiceNowClient
from ..lookups import fetch_task
from ..models.incidents import (
    INCIDENT_DETAIL_FIELDS,
    INCIDENT_FIELDS,
    IncidentDetail,
    IncidentList,
)
from ..query import QueryBuilder
from .common import (
    Active,
    Description,
    Details,
    Group,
    Impact,
    Limit,
    Note,
    Offset,
    Person,
    Query,
    Summary,
    Urgency,
    Words,
    assignment,
    flag,
    moment,
    name_value,
    present,
    search_tasks,
    update_task,
)

__all__ = ["incident_tools"]

IncidentRef = Annotated[
    str, Field(min_length=1, max_length=64, description="Incident number (INC0010001) or sys_id")
]
States = Annotated[list[IncidentState] | None, Field(max_length=6, description="Any of these")]
Priorities = Annotated[
    list[Annotated[int, Field(ge=1, le=5)]] | None,
    Field(max_length=5, description="Any of these priorities (1 critical .. 5 planning)"),
]
Assignee = Annotated[str | None, Field(max_length=80, description="Assignee's name")]
CiName = Annotated[str | None, Field(max_length=100, description="Affected CI's name")]
Since = Annotated[datetime | None, Field(description="Updated at or after (ISO 8601, UTC)")]
Category = Annotated[IncidentCategory | None, Field(description="What kind of problem")]
Code = Annotated[IncidentCloseCode, Field(description="Resolution code")]
CiRef = Annotated[str | None, Field(max_length=100, description="Affected CI's name or sys_id")]
Correlation = Annotated[str | None, Field(max_length=100, description="Id in the caller's system")]
Comment = Annotated[str | None, Field(max_length=4000, description="Comment the caller sees")]
Target = Annotated[
    IncidentTarget | None, Field(description="New state (resolve with resolve_incident)")
]
Resolution = Annotated[str, Field(min_length=1, max_length=4000, description="What fixed it")]


def incident_tools(client: ServiceNowClient) -> Toolset:
    """The incident toolset over one ServiceNow client."""
    ts = Toolset("incidents", "Search, read, create, update and resolve incidents")

    @ts.tool(action="read", title="Search incidents")
    async def search_incidents(
        text: Words = None,
        state: States = None,
        priority: Priorities = None,
        assignment_group: Group = None,
        assigned_to: Assignee = None,
        configuration_item: CiName = None,
        active: Active = None,
        updated_after: Since = None,
        query: Query = None,
        limit: Limit = 20,
        offset: Offset = 0,
        details: Details = False,
    ) -> IncidentList:
        """Search incidents with typed filters, newest update first; paged, with a total."""
        q = QueryBuilder("incident").where_given([
            ("short_description", "LIKE", text),
            ("state", "IN", [INCIDENT_STATES[s] for s in state or ()]),
            ("priority", "IN", [str(p) for p in priority or ()]),
            ("assignment_group.name", "=", assignment_group),
            ("assigned_to.name", "=", assigned_to),
            ("cmdb_ci.name", "=", configuration_item),
            ("active", "=", flag(active)),
            ("sys_updated_on", ">=", moment(updated_after)),
        ])  # fmt: skip
        fields = INCIDENT_DETAIL_FIELDS if details else INCIDENT_FIELDS
        page = await search_tasks(client, q, query, fields, limit, offset)
        return IncidentList.from_page(page, details=details)

    @ts.tool(action="read", title="Get an incident")
    async def get_incident(incident: IncidentRef) -> IncidentDetail:
        """One incident with every useful field, its work notes and comments."""
        record = await fetch_task(client, "incident", incident, INCIDENT_DETAIL_FIELDS)
        return IncidentDetail.from_record(record)

    @ts.tool(action="write", title="Create an incident", destructive=False)
    async def create_incident(
        short_description: Summary,
        description: Description = None,
        caller: Person = None,
        category: Category = None,
        impact: Impact = None,
        urgency: Urgency = None,
        assignment_group: Group = None,
        assigned_to: Person = None,
        configuration_item: CiRef = None,
        correlation_id: Correlation = None,
        work_notes: Note = None,
    ) -> IncidentDetail:
        """Open an incident; its priority follows from impact and urgency."""
        values: dict[str, Any] = {
            "short_description": short_description.strip(),
            "description": description,
            "caller_id": name_value(caller, "caller"),
            "category": category,
            "impact": LEVELS[impact] if impact else None,
            "urgency": LEVELS[urgency] if urgency else None,
            **assignment(assignment_group, assigned_to),
            "cmdb_ci": name_value(configuration_item, "configuration_item"),
            "correlation_id": name_value(correlation_id, "correlation_id"),
            "work_notes": work_notes,
        }
        return IncidentDetail.from_record(await client.create_record("incident", present(values)))

    @ts.tool(action="write", title="Update an incident", destructive=False)
    async def update_incident(
        incident: IncidentRef,
        work_notes: Note = None,
        comments: Comment = None,
        state: Target = None,
        assignment_group: Group = None,
        assigned_to: Person = None,
        impact: Impact = None,
        urgency: Urgency = None,
    ) -> IncidentDetail:
        """Add work notes or comments; change state, assignment, impact or urgency."""
        values: dict[str, Any] = {
            "work_notes": work_notes,
            "comments": comments,
            "state": INCIDENT_STATES[state] if state else None,
            **assignment(assignment_group, assigned_to),
            "impact": LEVELS[impact] if impact else None,
            "urgency": LEVELS[urgency] if urgency else None,
        }
        return IncidentDetail.from_record(await _update(client, incident, values))

    @ts.tool(action="write", title="Resolve an incident", destructive=False)
    async def resolve_incident(
        incident: IncidentRef,
        close_code: Code,
        close_notes: Resolution,
        work_notes: Note = None,
    ) -> IncidentDetail:
        """Resolve an incident with a resolution code and resolution notes."""
        values = {"state": INCIDENT_STATES["resolved"], "close_code": close_code,
                  "close_notes": close_notes.strip(), "work_notes": work_notes}  # fmt: skip
        return IncidentDetail.from_record(await _update(client, incident, values))

    return ts


async def _update(client: ServiceNowClient, incident: str, values: dict[str, Any]) -> Record:
    """Write the given fields to one incident."""
    write = partial(client.update_record, "incident")
    return await update_task(client, "incident", incident, values, write)
