"""Change activities: open, follow, cancel, implement and close the ServiceNow change.

Each is idempotent: the change is looked up by its correlation id (the workflow id) before
it is created, and every state move is skipped when the change is already there.
"""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from mcp_common.observability import audit

from ..models import ChangeAction, ChangeRecord, OpenChangeInput
from .change_text import change_spec, confirmation_line, requester_line
from .support import ActivitiesBase, call_tool, serving

__all__ = ["ChangeActivities"]

_AFTER_IMPLEMENT = ("implement", "review", "closed")


class ChangeActivities(ActivitiesBase):
    """ServiceNow side of the workflow."""

    @activity.defn(name="open_change")
    async def open_change(self, data: OpenChangeInput) -> ChangeRecord:
        """Step 2: find the change by correlation id or create it, then ask the CAB."""
        obo, tools = data.request.requested_by, self._tools
        with serving(obo, data.request.delegation):
            change = await call_tool(tools.find_change(data.correlation_id, on_behalf_of=obo))
            if change is None:
                change = await call_tool(tools.create_change(change_spec(data), on_behalf_of=obo))
                fields = {"change.number": change.number}
                if data.confirmed_by:
                    fields["deployment.confirmed_by"] = data.confirmed_by
                audit("workflow.change.create", "success", **fields)
            elif change.state in ("closed", "canceled"):
                raise ApplicationError(
                    f"change {change.number} of this workflow is already {change.state}",
                    type="ChangeClosed",
                    non_retryable=True,
                )
            note = requester_line(data.request.requester_name, obo)
            if data.confirmed_by:
                note += ". " + confirmation_line(data.confirmed_by, data.confirmed_at)
            if change.state == "new":
                change = await call_tool(
                    tools.update_change(
                        change.sys_id, on_behalf_of=obo, state="assess", work_notes=note
                    )
                )
            if change.state == "assess":
                change = await call_tool(
                    tools.update_change(change.sys_id, on_behalf_of=obo, state="authorize")
                )
            return change

    @activity.defn(name="get_approval")
    async def get_approval(self, action: ChangeAction) -> ChangeRecord:
        """Step 3: where the CAB's decision stands."""
        with serving(action.requested_by, action.delegation):
            return await call_tool(
                self._tools.get_change(action.change.sys_id, on_behalf_of=action.requested_by)
            )

    @activity.defn(name="cancel_change")
    async def cancel_change(self, action: ChangeAction) -> ChangeRecord:
        """Cancel the change with a note (nothing to do when it is already closed)."""
        obo = action.requested_by
        with serving(obo, action.delegation):
            change = await call_tool(self._tools.get_change(action.change.sys_id, on_behalf_of=obo))
            if change.state in ("canceled", "closed"):
                return change
            return await call_tool(
                self._tools.update_change(
                    change.sys_id, on_behalf_of=obo, state="canceled", work_notes=action.notes
                )
            )

    @activity.defn(name="start_implementation")
    async def start_implementation(self, action: ChangeAction) -> ChangeRecord:
        """Step 4a: the approved (scheduled) change moves to implement."""
        obo = action.requested_by
        with serving(obo, action.delegation):
            change = await call_tool(self._tools.get_change(action.change.sys_id, on_behalf_of=obo))
            if change.state in _AFTER_IMPLEMENT:
                return change
            if change.state != "scheduled":
                raise ApplicationError(
                    f"change {change.number} is {change.state}, not scheduled: cannot implement",
                    type="ChangeNotScheduled",
                    non_retryable=True,
                )
            return await call_tool(
                self._tools.update_change(
                    change.sys_id, on_behalf_of=obo, state="implement", work_notes=action.notes
                )
            )

    @activity.defn(name="close_change")
    async def close_change(self, action: ChangeAction) -> ChangeRecord:
        """Step 6: implement -> review -> closed with the close code and notes."""
        obo, tools = action.requested_by, self._tools
        with serving(obo, action.delegation):
            change = await call_tool(tools.get_change(action.change.sys_id, on_behalf_of=obo))
            if change.state == "implement":
                change = await call_tool(
                    tools.update_change(change.sys_id, on_behalf_of=obo, state="review")
                )
            if change.state == "review":
                change = await call_tool(
                    tools.update_change(
                        change.sys_id,
                        on_behalf_of=obo,
                        state="closed",
                        close_code=action.close_code or "successful",
                        close_notes=action.notes,
                    )
                )
            if change.state != "closed":
                raise ApplicationError(
                    f"change {change.number} is {change.state}: cannot close it",
                    type="ChangeNotClosable",
                    non_retryable=True,
                )
            return change
