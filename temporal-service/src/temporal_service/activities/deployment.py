"""All activities of TemplateDeploymentWorkflow, bound to one PlatformTools.

Retrying any of them is safe (see `changes` and `network`). Business refusals become
non-retryable ApplicationErrors (type ToolCallRefused); transport trouble is retried.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .approval import ApprovalActivities
from .changes import ChangeActivities
from .network import NetworkActivities

__all__ = ["DeploymentActivities"]


class DeploymentActivities(NetworkActivities, ChangeActivities, ApprovalActivities):
    """Every activity of the workflow, sharing one PlatformTools."""

    def all(self) -> list[Callable[..., Any]]:
        """Every activity, for Worker(activities=...)."""
        return [
            self.validate_deployment,
            self.open_change,
            self.get_approval,
            self.cancel_change,
            self.start_implementation,
            self.deploy_template,
            self.verify_deployment,
            self.close_change,
            self.render_deployment,
            self.check_approval,
        ]
