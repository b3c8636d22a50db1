"""Temporal workflows of the platform."""

from ..models import CancelRequest
from .template_deployment import TemplateDeploymentWorkflow

__all__ = ["CancelRequest", "TemplateDeploymentWorkflow"]
