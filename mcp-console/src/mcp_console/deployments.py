"""A change-managed deployment as a timeline, from `get_deployment_status` of the workflows
server: validated, change opened (its number), waiting for approval, deploying, verified,
then closed, rolled back or cancelled."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CANCELLABLE_STEPS", "Stage", "Timeline", "timeline"]

# The workflow's steps in happy-path order (temporal_service.schemas.DeploymentStatusView).
_ORDER = (
    "validating",
    "opening_change",
    "awaiting_approval",
    "implementing",
    "deploying",
    "verifying",
    "closing_change",
    "done",
)
CANCELLABLE_STEPS = frozenset(
    {"validating", "awaiting_confirmation", "opening_change", "awaiting_approval"}
)
_OUTCOMES = {
    "completed": ("Closed", "The change is closed: deployed and verified."),
    "rolled_back": ("Rolled back", "Verification failed: the devices were rolled back."),
    "canceled": ("Cancelled", "Cancelled before deployment; the change was cancelled."),
    "rejected": ("Rejected", "The change was rejected; nothing was deployed."),
    "approval_timed_out": ("Not approved in time", "Nothing was deployed."),
    "approval_mismatch": (
        "Not what was approved",
        "What would deploy no longer hashes to what the CAB approved; nothing was deployed.",
    ),
    "validation_failed": ("Validation failed", "Nothing was deployed."),
    "failed": ("Failed", "The deployment failed."),
}


@dataclass(frozen=True, slots=True)
class Stage:
    """One row of the timeline."""

    label: str
    state: str  # done | current | pending | failed
    note: str = ""


@dataclass(frozen=True, slots=True)
class Timeline:
    """The whole picture of one deployment."""

    workflow_id: str
    stages: tuple[Stage, ...]
    step: str | None
    ticket_id: str | None
    message: str
    finished: bool
    outcome: str | None
    outcome_label: str | None
    cancellable: bool
    progress: int


def _index(step: str | None) -> int:
    if step in ("rolling_back", "canceling_change"):
        return _ORDER.index("closing_change")
    if step == "awaiting_confirmation":  # the rendering shown to the requester, before the change
        return _ORDER.index("opening_change")
    return _ORDER.index(step) if step in _ORDER else 0


def timeline(status: Mapping[str, Any]) -> Timeline:
    """Build the timeline from one status answer."""
    step = status.get("step") if isinstance(status.get("step"), str) else None
    outcome = status.get("outcome") if isinstance(status.get("outcome"), str) else None
    execution = str(status.get("execution_status") or "")
    finished = outcome is not None or execution not in ("", "RUNNING")
    ticket = status.get("ticket_id") if isinstance(status.get("ticket_id"), str) else None
    at = _index(step)
    if finished:
        at = len(_ORDER)

    def state(first_index: int, last_index: int | None = None) -> str:
        last = first_index if last_index is None else last_index
        if at > last:
            return "done"
        if first_index <= at <= last:
            return "current"
        return "pending"

    waiting = state(2)
    approval_note = "waiting for the change advisory board" if waiting == "current" else ""
    stages = [
        Stage("Validated", state(0)),
        Stage(
            "Change opened",
            state(1),
            "waiting for the requester's confirmation"
            if step == "awaiting_confirmation"
            else ticket or "",
        ),
        Stage("Approved", waiting, approval_note),
        Stage("Deploying", state(3, 4)),
        Stage("Verified", state(5)),
    ]
    label = None
    if finished:
        label, note = _OUTCOMES.get(outcome or "", (outcome or execution.title(), ""))
        good = outcome == "completed"
        if not good:
            # Stages after the point it stopped never happened.
            stopped = _stopped_index(outcome)
            stages = [
                s if i < stopped else Stage(s.label, "pending", s.note)
                for i, s in enumerate(stages)
            ]
        stages.append(Stage(label, "done" if good else "failed", note))
    else:
        final = "Rolling back" if step == "rolling_back" else "Closed"
        stages.append(Stage(final, state(6, 7)))
    progress = status.get("progress_percent")
    return Timeline(
        workflow_id=str(status.get("workflow_id") or ""),
        stages=tuple(stages),
        step=step,
        ticket_id=ticket,
        message=str(status.get("message") or ""),
        finished=finished,
        outcome=outcome,
        outcome_label=label,
        cancellable=not finished and (step is None or step in CANCELLABLE_STEPS),
        progress=int(progress) if isinstance(progress, int | float) else (100 if finished else 0),
    )


def _stopped_index(outcome: str | None) -> int:
    # How many of the five stages were passed when the workflow ended this way.
    return {
        "validation_failed": 0,
        "rejected": 2,
        "approval_timed_out": 2,
        "approval_mismatch": 3,
        "canceled": 2,
        "rolled_back": 4,
        "failed": 3,
    }.get(outcome or "", 5)
