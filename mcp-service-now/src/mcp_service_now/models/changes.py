"""Change request results: summary, detail, creation and CAB approvals."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, Field

from ..client import Page, Record
from ..records import display, optional, text, value

__all__ = [
    "APPROVAL_FIELDS",
    "CHANGE_DETAIL_FIELDS",
    "CHANGE_FIELDS",
    "Approval",
    "Change",
    "ChangeApprovals",
    "ChangeCreated",
    "ChangeDetail",
    "ChangeList",
]

CHANGE_FIELDS: tuple[str, ...] = (
    "sys_id", "number", "short_description", "state", "type", "priority", "risk", "approval",
    "assigned_to", "assignment_group", "start_date", "end_date", "sys_updated_on",
)  # fmt: skip
CHANGE_DETAIL_FIELDS: tuple[str, ...] = (
    *CHANGE_FIELDS, "description", "justification", "implementation_plan", "backout_plan",
    "test_plan", "cmdb_ci", "requested_by", "impact", "category", "close_code", "close_notes",
    "correlation_id", "opened_at", "closed_at", "work_notes", "comments",
)  # fmt: skip
APPROVAL_FIELDS: tuple[str, ...] = ("sys_id", "approver", "state", "sys_updated_on", "comments")


class Change(BaseModel):
    """A change request in a few fields (get_change gives every field)."""

    sys_id: str = Field(description="Record id; any tool taking a change accepts it")
    number: str = Field(description="Change number, e.g. CHG0030001")
    short_description: str
    state: str = Field(description="New, Assess, Authorize, Scheduled, Implement, Review...")
    type: str = Field(description="Normal, Standard or Emergency")
    priority: str
    risk: str
    approval: str = Field(description="CAB approval: Not Yet Requested, Requested, Approved...")
    assigned_to: str | None = None
    assignment_group: str | None = None
    planned_start: str | None = Field(None, description="Window start, UTC")
    planned_end: str | None = Field(None, description="Window end, UTC")
    updated: str | None = Field(None, description="Last update, UTC")

    @classmethod
    def from_record(cls, record: Record) -> Self:
        """Build from a Table API or Change API record (value/display_value pairs)."""
        return cls(**_summary(record))


class ChangeDetail(Change):
    """A change request with its plans, CI, closure and journal."""

    description: str | None = None
    justification: str | None = None
    implementation_plan: str | None = None
    backout_plan: str | None = None
    test_plan: str | None = None
    configuration_item: str | None = Field(None, description="Primary CI's name")
    requested_by: str | None = None
    impact: str | None = None
    category: str | None = None
    close_code: str | None = None
    close_notes: str | None = None
    correlation_id: str | None = Field(None, description="Caller's idempotency/correlation key")
    opened_at: str | None = None
    closed_at: str | None = None
    work_notes: str | None = Field(None, description="Work notes, newest first")
    comments: str | None = None

    @classmethod
    def from_record(cls, record: Record) -> Self:
        """Build from a Table API or Change API record (value/display_value pairs)."""
        extra = {name: text(record, name) for name in (
            "description", "justification", "implementation_plan", "backout_plan", "test_plan",
            "close_notes", "work_notes", "comments",
        )}  # fmt: skip
        return cls(
            **_summary(record),
            **extra,
            configuration_item=optional(record, "cmdb_ci"),
            requested_by=optional(record, "requested_by"),
            impact=optional(record, "impact"),
            category=optional(record, "category"),
            close_code=optional(record, "close_code"),
            correlation_id=optional(record, "correlation_id"),
            opened_at=optional(record, "opened_at"),
            closed_at=optional(record, "closed_at"),
        )


class ChangeCreated(ChangeDetail):
    """The change create_change returns; `created` is false when correlation_id found one."""

    created: bool = Field(True, description="False: an existing change had this correlation_id")


class ChangeList(BaseModel):
    """One page of change requests, newest update first."""

    total: int = Field(description="How many changes match, over every page")
    offset: int
    next_offset: int | None = Field(description="Pass as offset for the next page; null: none")
    changes: list[Change | ChangeDetail]

    @classmethod
    def from_page(cls, page: Page, *, details: bool) -> Self:
        """Build from a page of records."""
        kind = ChangeDetail if details else Change
        return cls(
            total=page.total,
            offset=page.offset,
            next_offset=page.next_offset,
            changes=[kind.from_record(r) for r in page.records],
        )


class Approval(BaseModel):
    """One approver's decision on a change (made by people, never through this server)."""

    approver: str = Field(description="Approver's name")
    state: str = Field(description="Requested, Approved, Rejected, No Longer Required...")
    updated: str | None = Field(None, description="Last change of this approval, UTC")
    comments: str | None = Field(None, description="The approver's comments")

    @classmethod
    def from_record(cls, record: Record) -> Self:
        """Build from a sysapproval_approver record."""
        return cls(
            approver=display(record, "approver"),
            state=display(record, "state"),
            updated=optional(record, "sys_updated_on"),
            comments=text(record, "comments"),
        )


class ChangeApprovals(BaseModel):
    """A change's approval status and every approver's decision."""

    number: str
    sys_id: str
    state: str = Field(description="The change's state")
    approval: str = Field(description="Overall approval of the change")
    approvals: list[Approval]


def _summary(record: Record) -> dict[str, Any]:
    return {
        "sys_id": value(record, "sys_id"),
        "number": display(record, "number"),
        "short_description": display(record, "short_description"),
        "state": display(record, "state"),
        "type": display(record, "type"),
        "priority": display(record, "priority"),
        "risk": display(record, "risk"),
        "approval": display(record, "approval"),
        "assigned_to": optional(record, "assigned_to"),
        "assignment_group": optional(record, "assignment_group"),
        "planned_start": optional(record, "start_date"),
        "planned_end": optional(record, "end_date"),
        "updated": optional(record, "sys_updated_on"),
    }
