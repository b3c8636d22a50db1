"""Errors of the workflows server, each a subclass of the platform's hierarchy."""

from __future__ import annotations

from mcp_common.errors import PlatformError, UpstreamError

__all__ = ["DeploymentNotFound", "InvalidDeploymentRequest", "TemporalUnavailable"]


class InvalidDeploymentRequest(PlatformError):
    """The request cannot run as given; no workflow was started."""


class DeploymentNotFound(PlatformError):
    """No template deployment has this workflow id."""

    def __init__(self, workflow_id: str) -> None:
        self.workflow_id = workflow_id
        super().__init__(f"no template deployment has the workflow id {workflow_id!r}")


class TemporalUnavailable(UpstreamError):
    """Temporal did not answer; nothing was started or changed."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Temporal is unavailable: {what}", backend="temporal", kind="network")
