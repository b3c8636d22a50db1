"""Change tools: search, read and approvals (read); create and update normal changes (write).

No tool approves or rejects a change: approval stays with people (the CAB, in ServiceNow).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from mcp_common.server import Toolset

from ..choices import (
    CHANGE_STATES,
    LEVELS,
    RISKS,
    ChangeCloseCode,
    ChangeState,
    ChangeTarget,
)
from ..client import ServiceNowClient
from ..errors import InvalidArgument
from ..lookups import fetch_ci, fetch_task
from ..models.changes import (
    APPROVAL_FIELDS,
    CHANGE_DETAIL_FIELDS,
    CHANGE_FIELDS,
    Approval,
    ChangeApprovals,
    ChangeCreated,
    ChangeDetail,
    ChangeList,
)
from ..models.cmdb import CI_FIELDS
from ..query import QueryBuilder
from ..records import display, value
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
    RiskLevel,
    Summary,
    Window,
    Words,
    assignment,
    flag,
    moment,
    name_value,
    present,
    search_tasks,
    update_task,
    window,
)

__all__ = ["change_tools"]

ChangeRef = Annotated[
    str, Field(min_length=1, max_length=64, description="Change number (CHG0030001) or sys_id")
]
States = Annotated[list[ChangeState] | None, Field(max_length=8, description="Any of these")]
CiName = Annotated[str | None, Field(max_length=100, description="Primary CI's name")]
Correlation = Annotated[
    str | None,
    Field(max_length=100, description="The caller's idempotency key (e.g. a workflow id)"),
]
Implementation = Annotated[str, Field(min_length=1, max_length=4000, description="The steps")]
Backout = Annotated[str, Field(min_length=1, max_length=4000, description="How to undo it")]
TestPlan = Annotated[str | None, Field(max_length=4000, description="How to verify it worked")]
Justification = Annotated[str | None, Field(max_length=4000, description="Why it is needed")]
NewImplementation = Annotated[str | None, Field(max_length=4000, description="The steps")]
NewBackout = Annotated[str | None, Field(max_length=4000, description="How to undo it")]
Cis = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=100)]] | None,
    Field(max_length=10, description="CI names or sys_ids; the first is the primary CI"),
]
Outcome = Annotated[ChangeCloseCode | None, Field(description="Outcome, to close the change")]
Target = Annotated[
    ChangeTarget | None,
    Field(description="Next state: new, assess, authorize (asks the CAB), implement (once "
          "approved and scheduled), review, closed (needs close_code and close_notes), canceled"),
]  # fmt: skip
CloseNotes = Annotated[str | None, Field(max_length=4000, description="Outcome of the change")]


def change_tools(client: ServiceNowClient) -> Toolset:
    """The change toolset over one ServiceNow client."""
    ts = Toolset("changes", "Search, read, create and update normal change requests")

    @ts.tool(action="read", title="Search change requests")
    async def search_changes(
        text: Words = None,
        state: States = None,
        correlation_id: Correlation = None,
        assignment_group: Group = None,
        configuration_item: CiName = None,
        active: Active = None,
        starts_after: Window = None,
        starts_before: Window = None,
        query: Query = None,
        limit: Limit = 20,
        offset: Offset = 0,
        details: Details = False,
    ) -> ChangeList:
        """Search change requests with typed filters, newest update first; paged.
        correlation_id finds the change a workflow created."""
        q = QueryBuilder("change_request").where_given([
            ("short_description", "LIKE", text),
            ("state", "IN", [CHANGE_STATES[s] for s in state or ()]),
            ("correlation_id", "=", correlation_id),
            ("assignment_group.name", "=", assignment_group),
            ("cmdb_ci.name", "=", configuration_item),
            ("active", "=", flag(active)),
            ("start_date", ">=", moment(starts_after)),
            ("start_date", "<=", moment(starts_before)),
        ])  # fmt: skip
        fields = CHANGE_DETAIL_FIELDS if details else CHANGE_FIELDS
        page = await search_tasks(client, q, query, fields, limit, offset)
        return ChangeList.from_page(page, details=details)

    @ts.tool(action="read", title="Get a change request")
    async def get_change(change: ChangeRef) -> ChangeDetail:
        """One change request with its plans, window, CI, closure and work notes."""
        record = await fetch_task(client, "change_request", change, CHANGE_DETAIL_FIELDS)
        return ChangeDetail.from_record(record)

    @ts.tool(action="read", title="Get a change's approvals")
    async def get_change_approvals(change: ChangeRef) -> ChangeApprovals:
        """Where the CAB approval of a change stands, approver by approver."""
        record = await fetch_task(
            client, "change_request", change, ("sys_id", "number", "state", "approval")
        )
        sys_id = value(record, "sys_id")
        q = QueryBuilder("sysapproval_approver").where("sysapproval", "=", sys_id)
        page = await client.list_records(
            "sysapproval_approver", query=q.order_by("sys_updated_on").build(),
            fields=APPROVAL_FIELDS, limit=100,
        )  # fmt: skip
        return ChangeApprovals(
            number=display(record, "number"),
            sys_id=sys_id,
            state=display(record, "state"),
            approval=display(record, "approval"),
            approvals=[Approval.from_record(r) for r in page.records],
        )

    @ts.tool(action="write", title="Create a normal change", destructive=False)
    async def create_change(
        short_description: Summary,
        implementation_plan: Implementation,
        backout_plan: Backout,
        test_plan: TestPlan = None,
        description: Description = None,
        justification: Justification = None,
        risk: RiskLevel = None,
        impact: Impact = None,
        configuration_items: Cis = None,
        planned_start: Window = None,
        planned_end: Window = None,
        assignment_group: Group = None,
        assigned_to: Person = None,
        correlation_id: Correlation = None,
    ) -> ChangeCreated:
        """Create a normal change (state New). With correlation_id, a retry returns the
        change already created with that id instead of a duplicate (created=false)."""
        correlation = name_value(correlation_id, "correlation_id")
        values: dict[str, Any] = {
            "short_description": short_description.strip(),
            "implementation_plan": implementation_plan,
            "backout_plan": backout_plan,
            "test_plan": test_plan,
            "justification": justification,
            "risk": RISKS[risk] if risk else None,
            "impact": LEVELS[impact] if impact else None,
            **assignment(assignment_group, assigned_to),
            "correlation_id": correlation,
            **window(planned_start, planned_end),
        }
        cis = [name_value(ref, "configuration_items") or "" for ref in configuration_items or []]
        if correlation:
            existing = await _by_correlation(client, correlation)
            if existing is not None:
                return ChangeCreated.from_record(existing).model_copy(update={"created": False})
        found = [await fetch_ci(client, ref, CI_FIELDS) for ref in cis]
        if found:
            values["cmdb_ci"] = value(found[0], "sys_id")
        values["description"] = _with_cis(description, [display(ci, "name") for ci in found])
        record = await client.create_normal_change(present(values))
        return ChangeCreated.from_record(record)

    @ts.tool(action="write", title="Update a change request", destructive=False)
    async def update_change(
        change: ChangeRef,
        state: Target = None,
        work_notes: Note = None,
        implementation_plan: NewImplementation = None,
        backout_plan: NewBackout = None,
        test_plan: TestPlan = None,
        risk: RiskLevel = None,
        planned_start: Window = None,
        planned_end: Window = None,
        assignment_group: Group = None,
        assigned_to: Person = None,
        close_code: Outcome = None,
        close_notes: CloseNotes = None,
    ) -> ChangeDetail:
        """Move a change to its next state, add work notes, or fill its plans and window.
        Scheduled is reached only when the CAB approves; this tool cannot approve."""
        if state == "closed" and not (close_code and close_notes and close_notes.strip()):
            raise InvalidArgument("closing a change needs close_code and close_notes")
        values: dict[str, Any] = {
            "state": CHANGE_STATES[state] if state else None,
            "work_notes": work_notes,
            "implementation_plan": implementation_plan,
            "backout_plan": backout_plan,
            "test_plan": test_plan,
            "risk": RISKS[risk] if risk else None,
            **assignment(assignment_group, assigned_to),
            "close_code": close_code,
            "close_notes": close_notes,
            **window(planned_start, planned_end),
        }
        record = await update_task(client, "change_request", change, values, client.update_change)
        return ChangeDetail.from_record(record)

    return ts


def _with_cis(description: str | None, names: list[str]) -> str | None:
    """The description, listing every affected CI when there are several.

    A change holds one CI (`cmdb_ci`); the others are named in the description since the
    affected-CI table (task_ci) is not part of this integration.
    """
    if len(names) < 2:
        return description
    listing = "Affected CIs: " + ", ".join(names)
    return f"{description}\n\n{listing}" if description else listing


async def _by_correlation(client: ServiceNowClient, correlation_id: str) -> dict[str, Any] | None:
    """The newest change carrying this correlation id, if any."""
    q = QueryBuilder("change_request").where("correlation_id", "=", correlation_id)
    page = await client.list_records(
        "change_request", query=q.order_by("sys_created_on", descending=True).build(),
        fields=CHANGE_DETAIL_FIELDS, limit=1,
    )  # fmt: skip
    return page.records[0] if page.records else None
