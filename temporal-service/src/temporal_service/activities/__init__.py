"""Activities of the workflows and the platform operations they use."""

from .deployment import DeploymentActivities
from .platform import (
    ChangeSpec,
    DeviceHealthInfo,
    DeviceInfo,
    PlatformTools,
    PreviewInfo,
    TemplateInfo,
    ToolCallFailed,
)

__all__ = [
    "ChangeSpec",
    "DeploymentActivities",
    "DeviceHealthInfo",
    "DeviceInfo",
    "PlatformTools",
    "PreviewInfo",
    "TemplateInfo",
    "ToolCallFailed",
]
