"""The data a deployment carries through Temporal: plain dataclasses, JSON-serialisable.

Inputs cross Temporal's data converter, so they are validated by the caller (the MCP tool)
and by the workflow's first step (`DeploymentRequest.problems`), never by raising while
Temporal decodes them: a decode error would only make the workflow task retry forever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

__all__ = [
    "APPROVAL_STATES",
    "STEPS",
    "CancelRequest",
    "ChangeAction",
    "ChangeRecord",
    "ConfigPreview",
    "ConfirmRequest",
    "DeployInput",
    "DeployOutcome",
    "DeploymentRequest",
    "DeploymentResult",
    "DeploymentStatus",
    "DeviceTarget",
    "OpenChangeInput",
    "Outcome",
    "Step",
    "Timings",
    "ValidationResult",
    "VerifyInput",
    "VerifyResult",
]

Step = Literal[
    "validating",
    "awaiting_confirmation",  # only when the request asks for it (confirm_before_change)
    "opening_change",
    "awaiting_approval",
    "implementing",
    "deploying",
    "verifying",
    "rolling_back",
    "closing_change",
    "canceling_change",
    "done",
]
# The happy path, in order (every step but the detours and the end): progress is the share
# of it done.
STEPS: tuple[Step, ...] = tuple(
    s for s in get_args(Step) if s not in ("rolling_back", "canceling_change", "done")
)
Outcome = Literal[
    "completed",  # deployed, verified, change closed successful
    "validation_failed",  # nothing changed, no change request opened
    "rejected",  # the CAB rejected the change; it was cancelled
    "approval_timed_out",  # no decision before the deadline; the change was cancelled
    "canceled",  # cancelled or declined by a person before deployment (or in ServiceNow)
    "rolled_back",  # deployment or verification failed; previous version re-deployed
    "failed",  # deployment failed and could not be rolled back: manual remediation
    "approval_mismatch",  # what would deploy is not what the CAB approved; change cancelled
]
APPROVAL_STATES = ("not requested", "requested", "approved", "rejected", "cancelled")


@dataclass
class Timings:
    """How long to wait, and how often to look; fixed when the workflow starts."""

    approval_deadline_seconds: float = 86_400.0
    approval_poll_initial_seconds: float = 60.0
    approval_poll_max_seconds: float = 900.0
    approval_poll_backoff: float = 2.0
    deploy_timeout_seconds: float = 1_800.0
    deploy_heartbeat_timeout_seconds: float = 60.0
    # How long the requester has to confirm the rendered configuration (confirm_before_change).
    confirmation_deadline_seconds: float = 3_600.0


@dataclass
class DeploymentRequest:
    """What a person asked for; `requested_by` is the verified subject, never an argument."""

    template_id: str
    device_ids: list[str]
    reason: str
    requested_by: str
    requester_name: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    version: int | None = None  # template version to deploy; None: the latest
    risk: str = "moderate"
    assignment_group: str = "Network Operations"
    timings: Timings = field(default_factory=Timings)
    # Ask the requester to confirm the rendered configuration before the change is opened
    # (an MCP task whose client can elicit; ADR 0007). Defaulted: older histories decode.
    confirm_before_change: bool = False
    # The person's access token, the worker's subject token for RFC 8693 exchanges: never
    # logged, encrypted in Temporal's history by the payload codec (ADR 0006).
    delegation: str = field(default="", repr=False)

    def problems(self) -> list[str]:
        """Why this request cannot run (empty when it can)."""
        found = []
        if not self.template_id:
            found.append("template_id is required")
        if not self.device_ids:
            found.append("at least one device is required")
        if len(set(self.device_ids)) != len(self.device_ids):
            found.append("device_ids lists a device twice")
        if not self.reason.strip():
            found.append("a reason is required")
        if not self.requested_by:
            found.append("the requesting user is unknown")
        if self.version is not None and self.version < 1:
            found.append("version counts from 1")
        if self.timings.approval_deadline_seconds <= 0:
            found.append("the approval deadline must be positive")
        if self.confirm_before_change and self.timings.confirmation_deadline_seconds <= 0:
            found.append("the confirmation deadline must be positive")
        return found


@dataclass
class DeviceTarget:
    """A target device as validated: id, the name ServiceNow knows it by, baseline health."""

    device_id: str
    hostname: str
    ip_address: str = ""
    health: str | None = None  # POOR | FAIR | GOOD before the change


@dataclass
class ValidationResult:
    """Step 1: whether the deployment can go ahead, and what it will touch."""

    valid: bool
    problems: list[str]
    template_name: str = ""
    version: int | None = None
    previous_version: int | None = None
    devices: list[DeviceTarget] = field(default_factory=list)
    preview: str = ""  # rendered CLI for the first device (secrets masked by the server)


@dataclass
class ChangeRecord:
    """Where a ServiceNow change stands (state and approval in lower case)."""

    sys_id: str
    number: str
    state: str
    approval: str = "not requested"
    created: bool = True


@dataclass
class OpenChangeInput:
    """Step 2: the normal change to open (or find, by correlation id) and send to the CAB."""

    correlation_id: str
    request: DeploymentRequest
    validation: ValidationResult
    planned_start: str  # ISO 8601 UTC
    planned_end: str
    # Who confirmed the rendered configuration before the change was opened, and when
    # (ISO 8601 UTC); empty when the request did not ask for a confirmation.
    confirmed_by: str = ""
    confirmed_at: str = ""


@dataclass
class ChangeAction:
    """A state move, work note or closure on a change, for the person the workflow serves."""

    change: ChangeRecord
    requested_by: str
    notes: str = ""
    close_code: str | None = None  # successful | successful_issues | unsuccessful
    delegation: str = field(default="", repr=False)  # see DeploymentRequest.delegation


@dataclass
class DeployInput:
    """Step 4: deploy one template version to the devices."""

    template_id: str
    device_ids: list[str]
    params: dict[str, Any]
    version: int | None
    requested_by: str
    change_number: str
    delegation: str = field(default="", repr=False)  # see DeploymentRequest.delegation

    @classmethod
    def for_request(
        cls, request: DeploymentRequest, version: int | None, change_number: str
    ) -> DeployInput:
        """Deploy `version` of the requested template with the requested parameters."""
        return cls(
            request.template_id,
            request.device_ids,
            request.params,
            version,
            request.requested_by,
            change_number,
            request.delegation,
        )


@dataclass
class DeployOutcome:
    """A finished deployment: SUCCESS, PARTIAL_FAILURE or FAILURE, and why."""

    status: str
    deployment_id: str = ""
    summary: str = ""
    failed_devices: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        """True when every device took the configuration."""
        return self.status == "SUCCESS"


@dataclass
class VerifyInput:
    """Step 5: check the devices after the change."""

    devices: list[DeviceTarget]
    requested_by: str
    delegation: str = field(default="", repr=False)  # see DeploymentRequest.delegation


@dataclass
class VerifyResult:
    """Whether every device is reachable and no healthier before than after."""

    healthy: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class DeploymentResult:
    """How the workflow ended (the reference design's `status`/`ticket_id`/`deployment_id`)."""

    status: Outcome
    reason: str
    ticket_id: str | None = None  # the change number, e.g. CHG0030001
    change_sys_id: str | None = None
    deployment_id: str | None = None
    rollback_deployment_id: str | None = None
    approval_wait_seconds: float | None = None
    approval_sha256: str | None = None  # the digest the CAB's approval is bound to
    approvers: list[str] = field(default_factory=list)
    confirmed_by: str | None = None  # who confirmed the rendered configuration, if asked


@dataclass
class CancelRequest:
    """Who asks to cancel, and why (honoured before deployment starts only)."""

    requested_by: str
    reason: str = ""


@dataclass
class ConfirmRequest:
    """The requester's answer to "deploy this rendered configuration?" (before the change).

    `sha256`, when given, must be the digest that was shown: an answer to anything else is
    ignored, so a confirmation always names exactly what was confirmed.
    """

    confirmed: bool
    by: str
    sha256: str = ""


@dataclass
class ConfigPreview:
    """What would be deployed, as shown to people: the digest, the devices, the renderings.

    `text` is `approval.binding_text` clipped to a bounded size (`truncated` then says so);
    the change request carries the same text (within ServiceNow's field limit).
    """

    sha256: str
    hostnames: list[str]
    text: str
    truncated: bool = False


@dataclass
class DeploymentStatus:
    """What the `status` query answers: the step, progress and what is known so far."""

    workflow_step: Step
    progress_percent: int
    message: str
    requested_by: str
    ticket_id: str | None = None
    deployment_id: str | None = None
    cancel_requested_by: str | None = None
    cancel_refused: str | None = None
    result: DeploymentResult | None = None
    preview: ConfigPreview | None = None  # once rendered (before the change is opened)
    confirmation_deadline: str | None = None  # ISO 8601 UTC, while awaiting_confirmation
