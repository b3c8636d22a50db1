"""What the workflows tools return: short, explicit answers an agent can act on."""

from __future__ import annotations

from typing import get_args

from pydantic import BaseModel, Field

from .models import Outcome, Step

__all__ = ["CancelAnswer", "DeploymentStarted", "DeploymentStatusView"]


def _one_of(literal: object) -> str:
    """The values of a Literal type, in prose: "a, b or c"."""
    *first, last = get_args(literal)
    return f"{', '.join(first)} or {last}"


class DeploymentStarted(BaseModel):
    """A deployment workflow was started (or found, for a repeated idempotency key)."""

    workflow_id: str = Field(description="Pass to get_deployment_status and cancel_deployment")
    status: str = Field(description="started, or already_started for a repeated key")
    requested_by: str = Field(description="The verified requester recorded in the change")
    approval_deadline_hours: float = Field(description="Hours the CAB has to approve the change")
    next_step: str = Field(description="What happens now")


class DeploymentStatusView(BaseModel):
    """Where a deployment stands."""

    workflow_id: str
    execution_status: str = Field(description="RUNNING, COMPLETED, FAILED, TERMINATED, ...")
    step: str | None = Field(None, description=_one_of(Step))
    progress_percent: int | None = Field(None, description="Share of the happy path done")
    message: str | None = Field(None, description="What the workflow is doing or how it ended")
    requested_by: str | None = None
    ticket_id: str | None = Field(None, description="The ServiceNow change number")
    deployment_id: str | None = Field(None, description="The Catalyst Center deployment id")
    outcome: str | None = Field(
        None,
        description=f"When finished: {_one_of(Outcome)} (the template changed after the CAB "
        "approved; the change was cancelled, nothing deployed)",
    )
    cancel_refused: str | None = Field(None, description="Why a cancel request was refused")


class CancelAnswer(BaseModel):
    """Whether a cancel request was accepted."""

    workflow_id: str
    accepted: bool = Field(description="False when the deployment had started or had ended")
    message: str = Field(description="What happens next, or why the request was refused")
