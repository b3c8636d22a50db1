"""Pydantic results of the Catalyst Center tools (descriptions an LLM can act on)."""

from __future__ import annotations

from .assurance import (
    CategoryHealth,
    DeviceHealth,
    DeviceHealthList,
    Issue,
    IssueList,
    NetworkHealth,
)
from .common import Page
from .inventory import (
    DeviceConfig,
    DeviceDetail,
    DeviceInterfaces,
    DeviceList,
    DeviceSummary,
    Interface,
    Site,
    SiteList,
)
from .operations import CommandOutput, CommandRunResult, DeviceCommandOutputs, TaskStatus
from .templates import (
    DeploymentResult,
    DeviceDeployment,
    TemplateDetail,
    TemplateList,
    TemplateParameter,
    TemplatePreview,
    TemplateSummary,
    TemplateVersion,
)

__all__ = [
    "CategoryHealth",
    "CommandOutput",
    "CommandRunResult",
    "DeploymentResult",
    "DeviceCommandOutputs",
    "DeviceConfig",
    "DeviceDeployment",
    "DeviceDetail",
    "DeviceHealth",
    "DeviceHealthList",
    "DeviceInterfaces",
    "DeviceList",
    "DeviceSummary",
    "Interface",
    "Issue",
    "IssueList",
    "NetworkHealth",
    "Page",
    "Site",
    "SiteList",
    "TaskStatus",
    "TemplateDetail",
    "TemplateList",
    "TemplateParameter",
    "TemplatePreview",
    "TemplateSummary",
    "TemplateVersion",
]
