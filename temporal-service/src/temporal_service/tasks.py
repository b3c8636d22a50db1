"""`TemporalTaskStore`: MCP tasks (SEP-2663) whose state is a Temporal workflow's.

A task is a TemplateDeploymentWorkflow: the task id *is* the workflow id, its owner the
verified subject the workflow was started for (memo `requested_by`), its status read from
Temporal (`describe`) and the workflow's `status` query. Nothing is kept in the server, so
tasks survive restarts of the server and of the worker.

Status mapping:
- running, awaiting the CAB: `input_required`; the status message names the change; one
  form elicitation (key `approval-<change>`) lets the requester withdraw or ask for an
  immediate re-read of the change (the approval itself happens in ServiceNow);
- running otherwise: `working` (step and progress in the status message);
- ended with outcome `canceled`, or cancelled in Temporal: `cancelled`;
- ended with any other outcome: `completed`, the DeploymentResult inlined as the tool
  result (`isError` unless the outcome is `completed`: a refused or rolled-back deployment
  is a tool-level outcome, not a protocol failure);
- failed, terminated or timed out in Temporal: `failed`, with a JSON-RPC error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from fastmcp.server.extensions import ServerExtension
from fastmcp.tools.base import ToolResult
from temporalio.client import WorkflowExecutionDescription, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from mcp_common import Principal
from mcp_common.errors import PlatformError
from mcp_common.tasks import TaskNotFound, TasksExtension, TaskStatus, TaskView

from .errors import TemporalUnavailable
from .models import CancelRequest, DeploymentResult, DeploymentStatus
from .settings import WorkflowSettings
from .temporal_client import TemporalConnection
from .workflows import TemplateDeploymentWorkflow

__all__ = [
    "OWNER_MEMO",
    "TASK_TOOLS",
    "TemporalTaskStore",
    "approval_key",
    "task_extensions",
]

OWNER_MEMO = "requested_by"  # memo key: the verified subject the workflow serves
TASK_TOOLS = frozenset({"start_template_deployment"})
_WORKFLOW_TYPE = "TemplateDeploymentWorkflow"
_QUERY_TIMEOUT = timedelta(seconds=2)  # a running worker answers in milliseconds
_INTERNAL_ERROR = -32603


def approval_key(change_number: str) -> str:
    """The input-request key of the approval wait of one change (unique per task)."""
    return f"approval-{change_number}"


class TemporalTaskStore:
    """Tasks of the workflows server, stored as (and read from) Temporal workflows."""

    def __init__(
        self,
        temporal: TemporalConnection,
        *,
        ttl: timedelta,
        poll_interval: timedelta = timedelta(seconds=2),
    ) -> None:
        if ttl <= timedelta(0) or poll_interval <= timedelta(0):
            raise ValueError("ttl and poll_interval must be positive")
        self._temporal = temporal
        self._ttl_ms = int(ttl.total_seconds() * 1000)
        self._poll_ms = int(poll_interval.total_seconds() * 1000)

    @property
    def tools(self) -> frozenset[str]:
        """start_template_deployment runs as a task for clients that declared tasks."""
        return TASK_TOOLS

    async def create(self, tool: str, owner: Principal, start: Any) -> TaskView:
        """Start the workflow through the tool itself; the task is the workflow it started."""
        answer = await start()
        content = answer.structured_content if isinstance(answer, ToolResult) else None
        if not isinstance(content, dict) or not isinstance(content.get("workflow_id"), str):
            raise PlatformError(f"{tool} did not start a workflow")
        # Durable before answering (describe finds it), without waiting for a worker's query.
        view = await self._view(content["workflow_id"], ask_worker=False)
        if view.owner != owner.subject:  # a repeated idempotency key names the same person
            raise TaskNotFound(view.task_id)
        return view

    async def get(self, task_id: str) -> TaskView:
        """The task now, from Temporal (and the workflow's query while it runs)."""
        return await self._view(task_id, ask_worker=True)

    async def _view(self, task_id: str, *, ask_worker: bool) -> TaskView:
        handle, description = await self._describe(task_id)
        owner = await _owner(description)
        created = description.start_time or datetime.now(UTC)
        updated = description.close_time or datetime.now(UTC)
        base: dict[str, Any] = {
            "task_id": task_id,
            "owner": owner,
            "created_at": created,
            "last_updated_at": updated,
            "ttl_ms": self._ttl_ms,
            "poll_interval_ms": self._poll_ms,
        }
        state = description.status
        if state == WorkflowExecutionStatus.RUNNING:
            if not ask_worker:
                return TaskView(status="working", status_message="started", **base)
            status = await _query(handle)
            if status is None:
                message = "no worker answered; the workflow resumes when one runs"
                return TaskView(status="working", status_message=message, **base)
            return _running(status, base)
        if state == WorkflowExecutionStatus.COMPLETED:
            result: DeploymentResult = await handle.result()
            return _finished(result, base)
        if state == WorkflowExecutionStatus.CANCELED:
            return TaskView(status="cancelled", status_message="cancelled in Temporal", **base)
        name = state.name if state is not None else "UNKNOWN"
        message = f"the workflow ended without a result ({name})"
        error = {"code": _INTERNAL_ERROR, "message": message}
        return TaskView(status="failed", status_message=message, error=error, **base)

    async def update(self, task_id: str, responses: Mapping[str, Any], caller: Principal) -> None:
        """Answer the approval wait: withdraw the deployment, or re-read the change now."""
        handle, description = await self._describe(task_id)
        if description.status != WorkflowExecutionStatus.RUNNING:
            return
        status = await _query(handle)
        if status is None or status.workflow_step != "awaiting_approval" or not status.ticket_id:
            return  # nothing outstanding: answers to unknown keys are ignored
        answer = responses.get(approval_key(status.ticket_id))
        if not isinstance(answer, Mapping):
            return
        content = answer.get("content")
        withdraw = answer.get("action") == "accept" and (
            isinstance(content, Mapping) and content.get("withdraw") is True
        )
        if withdraw:
            request = CancelRequest(
                _who(caller), "withdrawn by the requester while awaiting the CAB"
            )
            await handle.signal(TemplateDeploymentWorkflow.cancel, request)
        else:
            await handle.signal(TemplateDeploymentWorkflow.approval_decided)

    async def cancel(self, task_id: str, caller: Principal) -> None:
        """Ask the workflow to cancel; it refuses once deployment has started (see its status)."""
        handle, description = await self._describe(task_id)
        if description.status != WorkflowExecutionStatus.RUNNING:
            return
        request = CancelRequest(_who(caller), "cancelled through tasks/cancel")
        try:
            await handle.signal(TemplateDeploymentWorkflow.cancel, request)
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:  # ended meanwhile
                return
            raise TemporalUnavailable("the cancel could not be delivered") from None

    async def _describe(
        self, task_id: str
    ) -> tuple[WorkflowHandle[Any, Any], WorkflowExecutionDescription]:
        client = await self._temporal.client()
        handle = client.get_workflow_handle(task_id, result_type=DeploymentResult)
        try:
            description = await handle.describe()
        except RPCError as exc:
            if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
                raise TaskNotFound(task_id) from None
            raise TemporalUnavailable("describe failed") from None
        if description.workflow_type != _WORKFLOW_TYPE:
            raise TaskNotFound(task_id)
        return handle, description


async def _owner(description: WorkflowExecutionDescription) -> str:
    """The subject the workflow was started for ("" when unknown: only admins then see it)."""
    try:
        value = await description.memo_value(OWNER_MEMO, default="")
    except Exception:  # an undecodable memo names nobody
        return ""
    return value if isinstance(value, str) else ""


async def _query(handle: WorkflowHandle[Any, Any]) -> DeploymentStatus | None:
    try:
        status: DeploymentStatus = await handle.query(
            TemplateDeploymentWorkflow.status, rpc_timeout=_QUERY_TIMEOUT
        )
    except Exception:  # no worker to answer right now
        return None
    return status


def _running(status: DeploymentStatus, base: dict[str, Any]) -> TaskView:
    if status.result is not None:  # finished, the workflow is returning
        return _finished(status.result, base)
    message = f"{status.workflow_step} ({status.progress_percent}%): {status.message}"
    if status.cancel_refused:
        message += f"; {status.cancel_refused}"
    if status.workflow_step == "awaiting_approval" and status.ticket_id:
        ticket = status.ticket_id
        request = {
            "method": "elicitation/create",
            "params": {
                "mode": "form",
                "message": (
                    f"Change {ticket} awaits the CAB's approval in ServiceNow. Answer with "
                    "withdraw=true to cancel the deployment (the change is cancelled); any "
                    "other answer makes the workflow read the change again now."
                ),
                "requestedSchema": {
                    "type": "object",
                    "properties": {
                        "withdraw": {
                            "type": "boolean",
                            "title": "Withdraw the deployment",
                            "default": False,
                        }
                    },
                },
            },
        }
        return TaskView(
            status="input_required",
            status_message=f"change {ticket} awaits the CAB's approval in ServiceNow",
            input_requests={approval_key(ticket): request},
            **base,
        )
    return TaskView(status="working", status_message=message, **base)


def _finished(result: DeploymentResult, base: dict[str, Any]) -> TaskView:
    if result.status == "canceled":
        return TaskView(status="cancelled", status_message=result.reason, **base)
    structured = dataclasses.asdict(result)
    summary = f"{result.status}: {result.reason}"
    if result.ticket_id:
        summary += f" (change {result.ticket_id})"
    call_result = {
        "content": [{"type": "text", "text": summary}],
        "structuredContent": structured,
        "isError": result.status != "completed",
    }
    status: TaskStatus = "completed"
    return TaskView(status=status, status_message=summary, result=call_result, **base)


def _who(principal: Principal) -> str:
    name = principal.claims.get("preferred_username") or principal.subject
    return str(name) if name == principal.subject else f"{name} ({principal.subject})"


def task_extensions(
    temporal: TemporalConnection, settings: WorkflowSettings
) -> list[ServerExtension]:
    """The workflows server's MCP extensions: tasks, stored in Temporal."""
    # A task lives while its workflow runs (at most the approval deadline, then deployment)
    # and a day after, within Temporal's retention; clients poll about as often as the
    # workflow itself looks at the change.
    ttl = timedelta(
        seconds=settings.approval_deadline_seconds + settings.deploy_call_timeout + 86_400
    )
    poll = timedelta(seconds=min(max(settings.approval_poll_initial_seconds, 0.1), 5.0))
    return [TasksExtension(TemporalTaskStore(temporal, ttl=ttl, poll_interval=poll))]
