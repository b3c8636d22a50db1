"""`TemporalTaskStore`: MCP tasks (SEP-2663) whose state is a Temporal workflow's.

A task is a TemplateDeploymentWorkflow: the task id *is* the workflow id, its owner the
verified subject the workflow was started for (memo `requested_by`), its status read from
Temporal (`describe`) and the workflow's `status` query. Nothing is kept in the server, so
tasks survive restarts of the server and of the worker.

Status mapping:
- running, awaiting the requester's confirmation (only for a task whose client declared form
  elicitation): `input_required`; one form elicitation (key `confirm-<SHA-256 prefix>`)
  shows the rendered configuration per device and its SHA-256 and asks `confirm`; an
  accepted `confirm=true` signals `confirm(True)`, any other answer `confirm(False)` (the
  deployment ends `cancelled`, no change is opened);
- running, awaiting the CAB: `input_required`; the status message names the change; one
  form elicitation (key `approval-<change>`) lets the requester withdraw or ask for an
  immediate re-read of the change (the approval itself happens in ServiceNow);
- running otherwise: `working` (step and progress in the status message);
- from the rendering until the CAB decides, the status message carries a short preview
  (devices, SHA-256, first lines), so a client without elicitation sees what it would
  deploy and can `tasks/cancel`;
- ended with outcome `canceled`, or cancelled in Temporal: `cancelled`;
- ended with any other outcome: `completed`, the DeploymentResult inlined as the tool
  result (`isError` unless the outcome is `completed`: a refused or rolled-back deployment
  is a tool-level outcome, not a protocol failure);
- failed, terminated or timed out in Temporal: `failed`, with a JSON-RPC error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from fastmcp.server.extensions import ServerExtension
from fastmcp.tools.base import ToolResult
from temporalio.client import WorkflowExecutionDescription, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from mcp_common import Principal
from mcp_common.errors import PlatformError
from mcp_common.observability import audit
from mcp_common.tasks import TaskNotFound, TasksExtension, TaskStatus, TaskView

from .errors import TemporalUnavailable
from .models import (
    CancelRequest,
    ConfigPreview,
    ConfirmRequest,
    DeploymentResult,
    DeploymentStatus,
)
from .settings import WorkflowSettings
from .temporal_client import TemporalConnection
from .workflows import TemplateDeploymentWorkflow

__all__ = [
    "OWNER_MEMO",
    "TASK_TOOLS",
    "TemporalTaskStore",
    "approval_key",
    "called_as_task",
    "confirm_key",
    "task_extensions",
]

OWNER_MEMO = "requested_by"  # memo key: the verified subject the workflow serves
TASK_TOOLS = frozenset({"start_template_deployment"})
_WORKFLOW_TYPE = "TemplateDeploymentWorkflow"
_QUERY_TIMEOUT = timedelta(seconds=2)  # a running worker answers in milliseconds
_INTERNAL_ERROR = -32603
_PREVIEW_LINES = 6  # first lines of configuration in a status message
_PREVIEW_HOSTS = 5  # hostnames named in a status message
_PREVIEW_STEPS = frozenset({"validating", "opening_change", "awaiting_approval"})

# True while TemporalTaskStore.create runs the tool body: the call is an MCP task.
_TASK_CALL: ContextVar[bool] = ContextVar("temporal_service_task_call", default=False)


def approval_key(change_number: str) -> str:
    """The input-request key of the approval wait of one change (unique per task)."""
    return f"approval-{change_number}"


def confirm_key(sha256: str) -> str:
    """The input-request key of the confirmation round: names what is being confirmed."""
    return f"confirm-{sha256[:16]}"


def called_as_task() -> bool:
    """Whether the running tool body was started by a task-augmented tools/call."""
    return _TASK_CALL.get()


@contextmanager
def _as_task() -> Iterator[None]:
    token = _TASK_CALL.set(True)
    try:
        yield
    finally:
        _TASK_CALL.reset(token)


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
        """Start the workflow through the tool itself; the task is the workflow it started.

        The tool body runs knowing it is a task (`called_as_task`): a client that declared
        form elicitation then gets the confirmation round before the change is opened.
        """
        with _as_task():
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
        """Answer the outstanding input request: the confirmation, or the approval wait.

        Confirmation: an accepted `confirm=true` confirms, any other answer declines.
        Approval wait: `withdraw=true` withdraws the deployment, anything else re-reads the
        change now.
        """
        handle, description = await self._describe(task_id)
        if description.status != WorkflowExecutionStatus.RUNNING:
            return
        status = await _query(handle)
        if status is None:
            return
        if status.workflow_step == "awaiting_confirmation" and status.preview is not None:
            owner = await _owner(description)
            await _answer_confirmation(handle, status.preview, responses, caller, owner)
            return
        if status.workflow_step != "awaiting_approval" or not status.ticket_id:
            return  # nothing outstanding: answers to unknown keys are ignored
        answer = responses.get(approval_key(status.ticket_id))
        if not isinstance(answer, Mapping):
            return
        if _accepted(answer, "withdraw"):
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


def _accepted(answer: Mapping[str, Any], field: str) -> bool:
    """Whether an elicitation answer was accepted with `field` set to true."""
    content = answer.get("content")
    return (
        answer.get("action") == "accept"
        and isinstance(content, Mapping)
        and content.get(field) is True
    )


async def _answer_confirmation(
    handle: WorkflowHandle[Any, Any],
    preview: ConfigPreview,
    responses: Mapping[str, Any],
    caller: Principal,
    owner: str,
) -> None:
    """Deliver the answer to the confirmation round (only the requester may confirm)."""
    answer = responses.get(confirm_key(preview.sha256))
    if not isinstance(answer, Mapping):
        return  # not an answer to what is shown now
    confirmed = _accepted(answer, "confirm")
    fields = {
        "workflow.id": handle.id,
        "user.id": caller.subject,
        "deployment.sha256": preview.sha256,
        "confirmation.answer": "confirmed" if confirmed else "declined",
    }
    if confirmed and caller.subject != owner:
        # An admin sees the task and may decline it, but the confirmation is the requester's.
        audit("workflow.confirm", "failure", **fields, reason="only the requester confirms")
        return
    try:
        await handle.signal(
            TemplateDeploymentWorkflow.confirm,
            ConfirmRequest(confirmed, _who(caller), preview.sha256),
        )
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:  # ended meanwhile
            return
        raise TemporalUnavailable("the confirmation could not be delivered") from None
    audit("workflow.confirm", "success", **fields)


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


def _short_preview(preview: ConfigPreview) -> str:
    """Devices, SHA-256 and the first lines of configuration, for a status message."""
    hosts = preview.hostnames
    named = ", ".join(hosts[:_PREVIEW_HOSTS])
    if len(hosts) > _PREVIEW_HOSTS:
        named += f" and {len(hosts) - _PREVIEW_HOSTS} more"
    lines = preview.text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("--- ")), len(lines))
    head = lines[first : first + 1 + _PREVIEW_LINES]
    summary = f"Preview: {len(hosts)} device(s) ({named}), SHA-256 {preview.sha256}"
    if not head:
        return summary + "."
    more = " ..." if len(lines) > first + 1 + _PREVIEW_LINES else ""
    return f"{summary}; first lines:\n" + "\n".join(head) + more


def _confirmation(status: DeploymentStatus, preview: ConfigPreview) -> dict[str, Any]:
    """The elicitation of the confirmation round: every rendering (bounded) and the digest."""
    clipped = " (truncated, see its end)" if preview.truncated else ""
    deadline = f" by {status.confirmation_deadline}" if status.confirmation_deadline else ""
    message = (
        f"Confirm before the ServiceNow change is opened. This is the configuration that would "
        f"be deployed to {len(preview.hostnames)} device(s) (secrets masked){clipped}; "
        f"SHA-256 {preview.sha256}:\n\n{preview.text}\n\n"
        "Answer confirm=true to open the change and ask the CAB for approval (what deploys must "
        "still hash to this SHA-256). confirm=false, declining or cancelling ends the deployment; "
        f"no change is opened. Without an answer{deadline}, the deployment is cancelled."
    )
    return {
        "method": "elicitation/create",
        "params": {
            "mode": "form",
            "message": message,
            "requestedSchema": {
                "type": "object",
                "properties": {
                    "confirm": {
                        "type": "boolean",
                        "title": "Deploy this configuration (open the change)",
                        "default": False,
                    }
                },
                "required": ["confirm"],
            },
        },
    }


def _running(status: DeploymentStatus, base: dict[str, Any]) -> TaskView:
    if status.result is not None:  # finished, the workflow is returning
        return _finished(status.result, base)
    message = f"{status.workflow_step} ({status.progress_percent}%): {status.message}"
    if status.cancel_refused:
        message += f"; {status.cancel_refused}"
    preview = status.preview
    if status.workflow_step == "awaiting_confirmation" and preview is not None:
        return TaskView(
            status="input_required",
            status_message=f"{message}\n{_short_preview(preview)}",
            input_requests={confirm_key(preview.sha256): _confirmation(status, preview)},
            **base,
        )
    # Until the CAB decides, say what would deploy: a client without elicitation sees it
    # here and can tasks/cancel.
    shown = preview if status.workflow_step in _PREVIEW_STEPS else None
    suffix = ""
    if shown is not None:
        suffix = f"\n{_short_preview(shown)}\ntasks/cancel stops it before deployment."
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
            status_message=f"change {ticket} awaits the CAB's approval in ServiceNow{suffix}",
            input_requests={approval_key(ticket): request},
            **base,
        )
    return TaskView(status="working", status_message=message + suffix, **base)


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
    # A task lives while its workflow runs (at most the confirmation and approval deadlines,
    # then deployment)
    # and a day after, within Temporal's retention; clients poll about as often as the
    # workflow itself looks at the change.
    ttl = timedelta(
        seconds=settings.confirmation_deadline_seconds
        + settings.approval_deadline_seconds
        + settings.deploy_call_timeout
        + 86_400
    )
    poll = timedelta(seconds=min(max(settings.approval_poll_initial_seconds, 0.1), 5.0))
    return [TasksExtension(TemporalTaskStore(temporal, ttl=ttl, poll_interval=poll))]
