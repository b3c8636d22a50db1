"""TemplateDeploymentWorkflow: a template deployment wrapped in a ServiceNow normal change.

Steps: validate -> render (and, when the request asks, wait for the requester to confirm the
rendering; deadline) -> open the change -> wait for the CAB (poll with backoff, or a signal
nudge; deadline) -> implement: deploy and poll to the end -> verify -> close successful, or
roll back and close unsuccessful. Deterministic: no I/O here, `workflow.now()`, timers only.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from ..activities.deployment import DeploymentActivities as Acts
    from ..approval import ApprovalCheck, BoundDeployment, RenderInput, binding_text, preview_of
    from ..models import (
        STEPS,
        CancelRequest,
        ChangeAction,
        ChangeRecord,
        ConfigPreview,
        ConfirmRequest,
        DeployInput,
        DeploymentRequest,
        DeploymentResult,
        DeploymentStatus,
        DeployOutcome,
        OpenChangeInput,
        Outcome,
        Step,
        ValidationResult,
        VerifyInput,
    )
    from .options import ACTIVITY_OPTIONS, retry_policy

__all__ = ["TemplateDeploymentWorkflow"]


def _cause(exc: BaseException) -> str:
    """The innermost message of an activity failure (what actually went wrong)."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return str(exc) or type(exc).__name__


def _duration(seconds: float) -> str:
    """A deadline for people: 1 h, 30 min, 45 s."""
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    if seconds >= 60:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


@workflow.defn(name="TemplateDeploymentWorkflow")
class TemplateDeploymentWorkflow:
    """Deploy a configuration template to devices under a ServiceNow normal change."""

    def __init__(self) -> None:
        self._step: Step = "validating"
        self._message = "validating the request"
        self._progress = 0
        self._requested_by = ""
        self._delegation = ""
        self._change: ChangeRecord | None = None
        self._deployment_id: str | None = None
        self._cancel: CancelRequest | None = None
        self._cancel_refused: str | None = None
        self._deployment_started = False
        self._nudged = False
        self._approval_wait: float | None = None
        self._approval_sha256: str | None = None
        self._approvers: list[str] = []
        self._result: DeploymentResult | None = None
        self._preview: ConfigPreview | None = None
        self._confirmation: ConfirmRequest | None = None
        self._confirmation_deadline: str | None = None
        self._confirmed_by: str | None = None

    # -- queries and signals ---------------------------------------------------------------

    @workflow.query
    def status(self) -> DeploymentStatus:
        """The current step, progress and what is known so far."""
        return DeploymentStatus(
            workflow_step=self._step,
            progress_percent=self._progress,
            message=self._message,
            requested_by=self._requested_by,
            ticket_id=self._change.number if self._change else None,
            deployment_id=self._deployment_id,
            cancel_requested_by=self._cancel.requested_by if self._cancel else None,
            cancel_refused=self._cancel_refused,
            result=self._result,
            preview=self._preview,
            confirmation_deadline=(
                self._confirmation_deadline if self._step == "awaiting_confirmation" else None
            ),
        )

    @workflow.query
    def current_step(self) -> str:
        """The current step's name."""
        return self._step

    @workflow.signal
    def cancel(self, request: CancelRequest) -> None:
        """Cancel before deployment starts; afterwards the request is refused (see status)."""
        if self._deployment_started or self._result is not None:
            self._cancel_refused = (
                f"cancel by {request.requested_by} refused: the deployment had already started "
                f"(step {self._step}); the workflow finishes it and closes the change"
            )
            return
        if self._cancel is None:
            self._cancel = request

    @workflow.signal
    def confirm(self, answer: ConfirmRequest) -> None:
        """The requester's answer to the rendered configuration; counted while it is asked.

        Only the first answer counts, and only one naming the digest that is shown (when it
        names one): what was confirmed is always what would be deployed.
        """
        if self._step != "awaiting_confirmation" or self._confirmation is not None:
            return
        if answer.sha256 and (self._preview is None or answer.sha256 != self._preview.sha256):
            return
        self._confirmation = answer

    @workflow.signal
    def approval_decided(self) -> None:
        """A hint that the CAB decided: look at the change now (the change is what counts)."""
        self._nudged = True

    # -- the workflow ----------------------------------------------------------------------

    @workflow.run
    async def run(self, request: DeploymentRequest) -> DeploymentResult:
        """Run every step; always end with a DeploymentResult, never with an open question."""
        self._requested_by = request.requested_by
        self._delegation = request.delegation
        try:
            return await self._run(request)
        except ActivityError as exc:
            reason = f"step {self._step} failed: {_cause(exc)}"
            if self._change is not None and not self._deployment_started:
                try:  # best effort: do not leave an orphan change waiting for the CAB
                    await self._act("cancel_change", self._action(reason))
                except ActivityError:
                    reason += f"; change {self._change.number} could not be cancelled"
            return self._finish("failed", reason)

    async def _run(self, request: DeploymentRequest) -> DeploymentResult:
        problems = request.problems()
        if problems:
            return self._finish("validation_failed", "; ".join(problems))
        validation: ValidationResult = await self._act("validate_deployment", request)
        if not validation.valid:
            return self._finish("validation_failed", "; ".join(validation.problems))
        if self._cancel is not None:
            return self._finish("canceled", self._cancel_reason())

        # The change carries what each device would receive and its SHA-256 (issue 12).
        bound = await self._render(request, validation)
        self._approval_sha256 = bound.sha256
        self._preview = preview_of(bound)
        validation.preview = binding_text(bound)
        confirmed_at = ""
        if request.confirm_before_change:
            ended = await self._await_confirmation(request)
            if ended is not None:
                return ended
            confirmed_at = workflow.now().isoformat()
        self._enter("opening_change", "opening the ServiceNow normal change")
        start = workflow.now()
        end = start + timedelta(seconds=request.timings.approval_deadline_seconds, hours=4)
        opening = OpenChangeInput(
            workflow.info().workflow_id,
            request,
            validation,
            start.isoformat(),
            end.isoformat(),
            confirmed_by=self._confirmed_by or "",
            confirmed_at=confirmed_at,
        )
        self._change = await self._act("open_change", opening)

        ended = await self._await_approval(request)
        if ended is not None:
            return ended
        ended = await self._check_binding(request, validation, bound)
        if ended is not None:
            return ended

        # The point of no return: from here a cancel request is refused.
        self._deployment_started = True
        self._enter("implementing", f"change {self._number()} moves to Implement")
        self._change = await self._act(
            "start_implementation",
            self._action(
                f"Deployment starts (approved by {', '.join(self._approvers) or 'the CAB'}; "
                f"what deploys hashes to the approved SHA-256 {bound.sha256})."
            ),
        )
        self._enter("deploying", f"deploying {validation.template_name} v{validation.version}")
        outcome = await self._deploy(request, validation.version)
        self._deployment_id = outcome.deployment_id or None
        failure = None if outcome.succeeded else f"deployment failed: {outcome.summary}"
        if failure is None:
            self._enter("verifying", "checking reachability and health of the devices")
            verdict = await self._act(
                "verify_deployment",
                VerifyInput(validation.devices, request.requested_by, request.delegation),
            )
            if not verdict.healthy:
                failure = "verification failed: " + "; ".join(verdict.problems)
        if failure is not None:
            return await self._roll_back(request, validation, failure)
        notes = (
            f"{outcome.summary or 'Deployed'} (deployment {outcome.deployment_id}); "
            "every device reachable and healthy after the change."
        )
        await self._close("successful", notes)
        return self._finish("completed", notes)

    async def _await_confirmation(self, request: DeploymentRequest) -> DeploymentResult | None:
        """Wait for the requester to confirm the rendered configuration, a cancel, or the deadline.

        Nothing exists outside Temporal yet: declining, cancelling or letting the deadline pass
        ends the workflow `canceled` without opening a change.
        """
        assert self._preview is not None
        seconds = request.timings.confirmation_deadline_seconds
        deadline = workflow.now() + timedelta(seconds=seconds)
        self._confirmation_deadline = deadline.isoformat()
        devices = len(self._preview.hostnames)
        self._enter(
            "awaiting_confirmation",
            f"awaiting the requester's confirmation of the rendered configuration for "
            f"{devices} device(s) (SHA-256 {self._preview.sha256}) before the ServiceNow change "
            f"is opened; no change is opened unless confirmed by {self._confirmation_deadline}",
        )
        try:
            await workflow.wait_condition(
                lambda: self._confirmation is not None or self._cancel is not None,
                timeout=seconds,
            )
        except TimeoutError:
            return self._finish(
                "canceled",
                f"not confirmed within {_duration(seconds)}: the rendered configuration "
                f"(SHA-256 {self._preview.sha256}) was not deployed and no change was opened",
            )
        answer = self._confirmation
        if answer is None or self._cancel is not None:
            return self._finish("canceled", self._cancel_reason() + "; no change was opened")
        if not answer.confirmed:
            return self._finish(
                "canceled",
                f"declined by {answer.by} after reviewing the rendered configuration "
                f"(SHA-256 {self._preview.sha256}); no change was opened",
            )
        self._confirmed_by = answer.by
        workflow.logger.info(
            "rendered configuration %s confirmed by %s", self._preview.sha256, answer.by
        )
        return None

    async def _await_approval(self, request: DeploymentRequest) -> DeploymentResult | None:
        """Poll the change with backoff until a decision, a cancel or the deadline."""
        timings = request.timings
        self._enter("awaiting_approval", f"change {self._number()} awaits the CAB's approval")
        started = workflow.now()
        deadline = started + timedelta(seconds=timings.approval_deadline_seconds)
        interval = timings.approval_poll_initial_seconds
        while True:
            if self._cancel is None:
                self._change = await self._act("get_approval", self._action())
            if self._cancel is not None:  # also when it came while the change was read
                return await self._cancel_change("canceled", self._cancel_reason())
            change = self._change
            assert change is not None
            if change.approval == "approved" or change.state in ("scheduled", "implement"):
                self._approval_wait = (workflow.now() - started).total_seconds()
                return None
            if change.approval == "rejected":
                return await self._cancel_change(
                    "rejected", f"the CAB rejected change {change.number}"
                )
            if change.state in ("canceled", "closed"):
                return self._finish(
                    "canceled", f"change {change.number} was {change.state} in ServiceNow"
                )
            remaining = (deadline - workflow.now()).total_seconds()
            if remaining <= 0:
                hours = timings.approval_deadline_seconds / 3600
                return await self._cancel_change(
                    "approval_timed_out", f"no CAB decision on {change.number} within {hours:g} h"
                )
            self._nudged = False
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: self._cancel is not None or self._nudged,
                    timeout=min(interval, remaining),
                )
            interval = min(
                interval * timings.approval_poll_backoff, timings.approval_poll_max_seconds
            )

    async def _deploy(self, request: DeploymentRequest, version: int | None) -> DeployOutcome:
        timings = request.timings
        data = DeployInput.for_request(request, version, self._number())
        try:
            outcome: DeployOutcome = await workflow.execute_activity_method(
                Acts.deploy_template,
                data,
                start_to_close_timeout=timedelta(seconds=timings.deploy_timeout_seconds),
                heartbeat_timeout=timedelta(seconds=timings.deploy_heartbeat_timeout_seconds),
                retry_policy=retry_policy(3, first=2.0, most=60.0),
            )
        except ActivityError as exc:
            return DeployOutcome(status="FAILURE", summary=_cause(exc))
        return outcome

    async def _roll_back(
        self, request: DeploymentRequest, validation: ValidationResult, failure: str
    ) -> DeploymentResult:
        previous = validation.previous_version
        if previous is None:
            notes = f"{failure}. No previous template version: manual remediation needed."
            await self._close("unsuccessful", notes)
            return self._finish("failed", notes)
        self._enter("rolling_back", f"{failure}; re-deploying version {previous}")
        outcome = await self._deploy(request, previous)
        if outcome.succeeded:
            status: Outcome = "rolled_back"
            notes = (
                f"{failure}. Rolled back: version {previous} re-deployed "
                f"(deployment {outcome.deployment_id})."
            )
        else:
            status = "failed"
            notes = (
                f"{failure}. Rollback to version {previous} failed too: {outcome.summary}. "
                "Manual remediation needed."
            )
        await self._close("unsuccessful", notes)
        result = self._finish(status, notes)
        result.rollback_deployment_id = outcome.deployment_id or None
        return result

    async def _render(
        self, request: DeploymentRequest, validation: ValidationResult
    ) -> BoundDeployment:
        """What the validated version would put on each device, and its SHA-256."""
        assert validation.version is not None  # a valid validation names the version
        data = RenderInput(
            request.template_id,
            validation.version,
            request.params,
            [(d.device_id, d.hostname) for d in validation.devices],
            request.requested_by,
            request.delegation,
        )
        bound: BoundDeployment = await self._act("render_deployment", data)
        return bound

    async def _check_binding(
        self, request: DeploymentRequest, validation: ValidationResult, bound: BoundDeployment
    ) -> DeploymentResult | None:
        """Deploy only what the CAB approved: render again and compare the digests."""
        change = self._change
        assert change is not None
        self._message = f"checking that what deploys is what the CAB approved on {change.number}"
        current = await self._render(request, validation)
        check = ApprovalCheck(
            change.sys_id,
            change.number,
            bound.sha256,
            current.sha256,
            request.requested_by,
            request.delegation,
        )
        verdict = await self._act("check_approval", check)
        self._approvers = list(verdict.approvers)
        if verdict.matches:
            return None
        return await self._cancel_change("approval_mismatch", verdict.reason)

    # -- helpers ---------------------------------------------------------------------------

    async def _act(self, name: str, argument: Any) -> Any:
        timeout, retry = ACTIVITY_OPTIONS[name]
        return await workflow.execute_activity_method(
            getattr(Acts, name), argument, start_to_close_timeout=timeout, retry_policy=retry
        )

    def _action(self, notes: str = "", close_code: str | None = None) -> ChangeAction:
        assert self._change is not None
        return ChangeAction(
            self._change, self._requested_by, notes, close_code, delegation=self._delegation
        )

    async def _close(self, code: str, notes: str) -> None:
        self._enter("closing_change", f"closing change {self._number()} ({code})")
        self._change = await self._act("close_change", self._action(notes, code))

    async def _cancel_change(self, outcome: Outcome, reason: str) -> DeploymentResult:
        self._enter("canceling_change", reason)
        self._change = await self._act("cancel_change", self._action(reason + "."))
        return self._finish(outcome, reason)

    def _cancel_reason(self) -> str:
        assert self._cancel is not None
        why = f": {self._cancel.reason}" if self._cancel.reason else ""
        return f"canceled by {self._cancel.requested_by} before deployment{why}"

    def _number(self) -> str:
        return self._change.number if self._change else "(none)"

    def _enter(self, step: Step, message: str) -> None:
        self._step, self._message = step, message
        if step in STEPS:
            self._progress = int(100 * STEPS.index(step) / len(STEPS))
        workflow.logger.info("deployment step %s: %s", step, message)

    def _finish(self, status: Outcome, reason: str) -> DeploymentResult:
        self._step, self._message, self._progress = "done", reason, 100
        self._result = DeploymentResult(
            status=status,
            reason=reason,
            ticket_id=self._change.number if self._change else None,
            change_sys_id=self._change.sys_id if self._change else None,
            deployment_id=self._deployment_id,
            approval_wait_seconds=self._approval_wait,
            approval_sha256=self._approval_sha256,
            approvers=list(self._approvers),
            confirmed_by=self._confirmed_by,
        )
        return self._result
