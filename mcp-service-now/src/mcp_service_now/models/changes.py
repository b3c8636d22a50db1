"""Change request results: summary, detail, creation and CAB approvals."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, Field

from ..client import Page, Record
from ..records import display, optional, pick, text
from .tasks import TaskPage, task_summary

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
# ChangeDetail's fields beyond the summary: result field -> record field.
_TEXTS = {name: name for name in (
    "description", "justification", "implementation_plan", "backout_plan", "test_plan",
    "close_notes", "work_notes", "comments",
)}  # fmt: skip
_MORE = {name: name for name in (
    "requested_by", "impact", "category", "close_code", "correlation_id", "opened_at", "closed_at",
)} | {"configuration_item": "cmdb_ci"}  # fmt: skip


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
        return cls(
            **_summary(record), **pick(record, text, _TEXTS), **pick(record, optional, _MORE)
        )


class ChangeCreated(ChangeDetail):
    """The change create_change returns; `created` is false when correlation_id found one."""

    created: bool = Field(True, description="False: an existing change had this correlation_id")


class ChangeList(TaskPage):
    """One page of change requests, newest update first."""

    total: int = Field(description="How many changes match, over every page")
    changes: list[Change | ChangeDetail]

    @classmethod
    def from_page(cls, page: Page, *, details: bool) -> Self:
        """Build from a page of records."""
        kind = ChangeDetail if details else Change
        return cls(**cls.paging(page), changes=[kind.from_record(r) for r in page.records])


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
    shown = ("number", "short_description", "state", "type", "priority", "risk", "approval")
    return task_summary(record, shown, {
        "assigned_to": "assigned_to", "assignment_group": "assignment_group",
        "planned_start": "start_date", "planned_end": "end_date",
    })  # fmt: skip
