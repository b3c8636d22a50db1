"""The workflows toolset: start, follow and cancel template deployments; each returns at once.

The requester is the verified caller of the request (`current_principal()`), never an
argument: the worker later exchanges that person's token (RFC 8693) for every call it makes
for the workflow, so each server decides on the person's rights and the worker's together.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastmcp.server.dependencies import get_access_token, get_context
from pydantic import Field
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from mcp_common import Toolset, current_principal
from mcp_common.errors import AuthenticationError
from mcp_common.observability import audit

from .errors import DeploymentNotFound, InvalidDeploymentRequest, TemporalUnavailable
from .models import DeploymentRequest, DeploymentStatus, Timings
from .schemas import CancelAnswer, DeploymentStarted, DeploymentStatusView
from .settings import WorkflowSettings
from .tasks import called_as_task
from .temporal_client import TemporalConnection
from .workflows import CancelRequest, TemplateDeploymentWorkflow

__all__ = ["WORKFLOW_ID_PREFIX", "workflow_tools"]

WORKFLOW_ID_PREFIX = "template-deployment-"
_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_QUERY_TIMEOUT = timedelta(seconds=5)
_BEFORE_DEPLOYMENT = ("validating", "awaiting_confirmation", "opening_change", "awaiting_approval")

TemplateId = Annotated[str, Field(pattern=_UUID, description="Catalyst Center template id")]
DeviceIds = Annotated[
    list[Annotated[str, Field(pattern=_UUID)]],
    Field(min_length=1, max_length=100, description="Target device ids (list_devices)"),
]
Reason = Annotated[
    str, Field(min_length=10, max_length=1000, description="Why: goes into the change request")
]
Params = Annotated[
    dict[str, str | int | float | bool | list[str]] | None,
    Field(description="Template parameters by name (see get_template)"),
]
Version = Annotated[int | None, Field(ge=1, description="Template version (default: latest)")]
Risk = Annotated[
    Literal["very_high", "high", "moderate", "low"], Field(description="Risk of the change")
]
IdempotencyKey = Annotated[
    str | None,
    Field(
        pattern=r"^[A-Za-z0-9._-]{1,64}$",
        description="Repeat a start safely: the same key returns the same deployment",
    ),
]
WorkflowId = Annotated[
    str,
    Field(
        pattern=r"^template-deployment-[A-Za-z0-9-]{8,64}$",
        description="The workflow id start_template_deployment returned",
    ),
]
CancelReason = Annotated[str, Field(min_length=3, max_length=500, description="Why cancel")]


def _caller_token() -> str:
    """The caller's own access token: the worker's subject token for token exchange."""
    token = get_access_token()
    if token is None or not token.token:
        raise AuthenticationError("no verified caller")
    return token.token


def _caller() -> tuple[str, str]:
    """(subject, display name) of the verified caller; fails closed without one."""
    principal = current_principal()
    if principal is None:
        raise AuthenticationError("no verified caller")
    claims = principal.claims
    name = claims.get("preferred_username") or claims.get("email") or principal.subject
    return principal.subject, str(name)


def _client_elicits_forms() -> bool:
    """Whether this request's client declared form elicitation.

    On 2026-07-28 the capabilities ride each request's `_meta` (no session handshake);
    the SDK records them on the request's connection, which FastMCP's Context exposes.
    `elicitation: {}` without modes means form (the spec's backwards-compatible reading).
    """
    try:
        capabilities = get_context().session.client_capabilities
    except RuntimeError:  # no request context
        return False
    elicitation = capabilities.elicitation if capabilities is not None else None
    if elicitation is None:
        return False
    return elicitation.form is not None or elicitation.url is None


def _workflow_id(subject: str, key: str | None) -> str:
    if key is None:
        return f"{WORKFLOW_ID_PREFIX}{uuid.uuid4()}"
    # Bound to the caller, so one person's key never names another person's deployment.
    digest = hashlib.sha256(f"{subject}\0{key}".encode()).hexdigest()[:32]
    return f"{WORKFLOW_ID_PREFIX}{digest}"


def workflow_tools(temporal: TemporalConnection, settings: WorkflowSettings) -> Toolset:
    """The three deployment tools over one Temporal connection."""
    ts = Toolset("deployments", "Change-managed template deployments (Temporal workflows)")
    timings = Timings(
        approval_deadline_seconds=settings.approval_deadline_seconds,
        approval_poll_initial_seconds=settings.approval_poll_initial_seconds,
        approval_poll_max_seconds=settings.approval_poll_max_seconds,
        deploy_timeout_seconds=settings.deploy_call_timeout + 60,
        deploy_heartbeat_timeout_seconds=settings.deploy_heartbeat_timeout_seconds,
        confirmation_deadline_seconds=settings.confirmation_deadline_seconds,
    )

    async def handle_of(workflow_id: str) -> tuple[WorkflowHandle[Any, Any], Any]:
        client = await temporal.client()
        handle = client.get_workflow_handle(workflow_id)
        try:
            description = await handle.describe()
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                raise DeploymentNotFound(workflow_id) from None
            raise TemporalUnavailable("describe failed") from None
        if description.workflow_type != "TemplateDeploymentWorkflow":
            raise DeploymentNotFound(workflow_id)
        return handle, description

    async def query(handle: WorkflowHandle[Any, Any]) -> DeploymentStatus | None:
        try:
            status: DeploymentStatus = await handle.query(
                TemplateDeploymentWorkflow.status, rpc_timeout=_QUERY_TIMEOUT
            )
            return status
        except Exception:  # no worker to answer right now: report what Temporal knows
            return None

    @ts.tool(action="execute", title="Start a template deployment", destructive=True)
    async def start_template_deployment(
        template_id: TemplateId,
        device_ids: DeviceIds,
        reason: Reason,
        params: Params = None,
        version: Version = None,
        risk: Risk = "moderate",
        idempotency_key: IdempotencyKey = None,
    ) -> DeploymentStarted:
        """Deploy a configuration template to devices under a ServiceNow normal change.

        Returns at once with a workflow id. The workflow validates, opens the change, waits
        for the CAB's approval, deploys, verifies, and closes the change (or rolls back).
        Follow it with get_deployment_status.
        """
        subject, name = _caller()
        # The confirmation round needs somewhere to ask: a task (tasks/get shows the input
        # request) and a client that can show a form. The synchronous form never asks.
        confirm = called_as_task() and _client_elicits_forms()
        request = DeploymentRequest(
            template_id=template_id,
            device_ids=list(device_ids),
            reason=reason.strip(),
            requested_by=subject,
            requester_name=name,
            params=dict(params or {}),
            version=version,
            risk=risk,
            assignment_group=settings.change_assignment_group,
            timings=timings,
            confirm_before_change=confirm,
            delegation=_caller_token(),
        )
        problems = request.problems()
        if problems:
            raise InvalidDeploymentRequest("; ".join(problems))
        workflow_id = _workflow_id(subject, idempotency_key)
        client = await temporal.client()
        status = "started"
        try:
            await client.start_workflow(
                TemplateDeploymentWorkflow.run,
                request,
                id=workflow_id,
                task_queue=settings.temporal_task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                memo={"requested_by": subject},  # the task's owner (tasks.TemporalTaskStore)
            )
        except WorkflowAlreadyStartedError:
            status = "already_started"
        except RPCError:
            raise TemporalUnavailable("the workflow could not be started") from None
        audit(
            "workflow.start",
            "success",
            **{
                "workflow.id": workflow_id,
                "workflow.status": status,
                "template.id": template_id,
                "devices.count": len(device_ids),
                "deployment.confirm_before_change": confirm,
            },
        )
        return DeploymentStarted(
            workflow_id=workflow_id,
            status=status,
            requested_by=name,
            approval_deadline_hours=round(settings.approval_deadline_seconds / 3600, 2),
            next_step=(
                "validation, your confirmation of the rendered configuration, then a "
                "ServiceNow normal change for the CAB to approve"
                if confirm
                else "validation, then a ServiceNow normal change for the CAB to approve"
            ),
        )

    @ts.tool(action="read", title="Get a deployment's status")
    async def get_deployment_status(workflow_id: WorkflowId) -> DeploymentStatusView:
        """Where a template deployment stands: step, progress, change number and outcome."""
        handle, description = await handle_of(workflow_id)
        execution = description.status.name if description.status else "UNKNOWN"
        view = DeploymentStatusView(workflow_id=workflow_id, execution_status=execution)
        status = await query(handle)
        if status is not None:
            view.step, view.progress_percent = status.workflow_step, status.progress_percent
            view.message, view.requested_by = status.message, status.requested_by
            view.ticket_id, view.deployment_id = status.ticket_id, status.deployment_id
            view.cancel_refused = status.cancel_refused
            view.outcome = status.result.status if status.result else None
        elif description.status == WorkflowExecutionStatus.COMPLETED:
            result = await handle.result()
            view.step, view.progress_percent, view.message = "done", 100, result.reason
            view.outcome, view.ticket_id = result.status, result.ticket_id
            view.deployment_id = result.deployment_id
        elif description.status == WorkflowExecutionStatus.RUNNING:
            view.message = "no worker answered; the workflow resumes when one runs"
        else:
            view.message = f"the workflow ended without a result ({execution})"
        return view

    @ts.tool(action="write", title="Cancel a deployment", destructive=True, idempotent=True)
    async def cancel_deployment(workflow_id: WorkflowId, reason: CancelReason) -> CancelAnswer:
        """Cancel a deployment before it deploys (the change is cancelled); refused after."""
        subject, name = _caller()
        handle, description = await handle_of(workflow_id)
        if description.status != WorkflowExecutionStatus.RUNNING:
            return CancelAnswer(
                workflow_id=workflow_id, accepted=False, message="the deployment has already ended"
            )
        status = await query(handle)
        if status is not None and status.workflow_step not in _BEFORE_DEPLOYMENT:
            audit("workflow.cancel", "failure", **{"workflow.id": workflow_id})
            message = (
                f"refused: the deployment is at step {status.workflow_step}; once deployment "
                "has started the workflow finishes it and closes the change"
            )
            return CancelAnswer(workflow_id=workflow_id, accepted=False, message=message)
        who = name if name == subject else f"{name} ({subject})"
        await handle.signal(TemplateDeploymentWorkflow.cancel, CancelRequest(who, reason))
        audit("workflow.cancel", "success", **{"workflow.id": workflow_id})
        return CancelAnswer(
            workflow_id=workflow_id,
            accepted=True,
            message="cancel requested: the change will be cancelled and nothing deployed "
            "(unless deployment started meanwhile; get_deployment_status tells)",
        )

    return ts
