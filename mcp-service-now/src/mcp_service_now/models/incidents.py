"""Incident results: a summary by default, every useful field on request."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, Field

from ..client import Page, Record
from ..records import optional, pick, text
from .tasks import TaskPage, task_summary

__all__ = [
    "INCIDENT_DETAIL_FIELDS",
    "INCIDENT_FIELDS",
    "Incident",
    "IncidentDetail",
    "IncidentList",
]

INCIDENT_FIELDS: tuple[str, ...] = (
    "sys_id", "number", "short_description", "state", "priority", "assigned_to",
    "assignment_group", "sys_updated_on",
)  # fmt: skip
INCIDENT_DETAIL_FIELDS: tuple[str, ...] = (
    *INCIDENT_FIELDS, "description", "impact", "urgency", "category", "caller_id", "cmdb_ci",
    "opened_at", "resolved_at", "close_code", "close_notes", "correlation_id", "work_notes",
    "comments",
)  # fmt: skip
# IncidentDetail's fields beyond the summary: result field -> record field.
_TEXTS = {name: name for name in ("description", "close_notes", "work_notes", "comments")}
_MORE = {name: name for name in (
    "impact", "urgency", "category", "opened_at", "resolved_at", "close_code", "correlation_id",
)} | {"caller": "caller_id", "configuration_item": "cmdb_ci"}  # fmt: skip


class Incident(BaseModel):
    """An incident in a few fields (get_incident gives every field)."""

    sys_id: str = Field(description="Record id; any tool taking an incident accepts it")
    number: str = Field(description="Incident number, e.g. INC0010001")
    short_description: str = Field(description="One-line summary")
    state: str = Field(description="State label: New, In Progress, On Hold, Resolved...")
    priority: str = Field(description="Priority label, 1 - Critical to 5 - Planning")
    assigned_to: str | None = Field(None, description="Assignee's name")
    assignment_group: str | None = Field(None, description="Assignment group's name")
    updated: str | None = Field(None, description="Last update, UTC (YYYY-MM-DD HH:MM:SS)")

    @classmethod
    def from_record(cls, record: Record) -> Self:
        """Build from a Table API record (display_value=all)."""
        return cls(**_summary(record))


class IncidentDetail(Incident):
    """An incident with its description, classification, resolution and journal."""

    description: str | None = None
    impact: str | None = None
    urgency: str | None = None
    category: str | None = None
    caller: str | None = Field(None, description="Caller's name")
    configuration_item: str | None = Field(None, description="Affected CI's name")
    opened_at: str | None = None
    resolved_at: str | None = None
    close_code: str | None = Field(None, description="Resolution code")
    close_notes: str | None = Field(None, description="Resolution notes")
    correlation_id: str | None = None
    work_notes: str | None = Field(None, description="Work notes, newest first")
    comments: str | None = Field(None, description="Additional comments, newest first")

    @classmethod
    def from_record(cls, record: Record) -> Self:
        """Build from a Table API record (display_value=all)."""
        return cls(
            **_summary(record), **pick(record, text, _TEXTS), **pick(record, optional, _MORE)
        )


class IncidentList(TaskPage):
    """One page of incidents, newest update first."""

    total: int = Field(description="How many incidents match, over every page")
    incidents: list[Incident | IncidentDetail]

    @classmethod
    def from_page(cls, page: Page, *, details: bool) -> Self:
        """Build from a page of records."""
        kind = IncidentDetail if details else Incident
        return cls(**cls.paging(page), incidents=[kind.from_record(r) for r in page.records])


def _summary(record: Record) -> dict[str, Any]:
    shown = ("number", "short_description", "state", "priority")
    return task_summary(record, shown, {"assigned_to": "assigned_to",
                                        "assignment_group": "assignment_group"})  # fmt: skip
