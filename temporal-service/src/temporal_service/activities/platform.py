"""`PlatformTools`: the few typed platform operations the activities need, behind a Protocol.

The real implementation calls the Catalyst Center and ServiceNow MCP servers as an MCP
client (`mcp_tools.McpPlatformTools`); tests of the workflow logic use an in-memory fake.
Every method takes `on_behalf_of`: the person the workflow serves, named in the token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict, Unpack, runtime_checkable

from mcp_common.errors import PlatformError

from ..models import ChangeRecord, DeployOutcome

__all__ = [
    "ChangeSpec",
    "ChangeUpdate",
    "DeploySpec",
    "DeviceHealthInfo",
    "DeviceInfo",
    "PlatformTools",
    "PreviewInfo",
    "TemplateInfo",
    "ToolCallFailed",
]


class ToolCallFailed(PlatformError):
    """A platform tool call failed; `retryable` says whether trying again may help."""

    def __init__(self, tool: str, message: str, *, retryable: bool) -> None:
        self.tool = tool
        self.retryable = retryable
        super().__init__(f"{tool}: {message}")


@dataclass(frozen=True)
class TemplateInfo:
    """A template and its committed versions (number -> the version's own id)."""

    template_id: str
    name: str
    version_ids: Mapping[int, str]

    @property
    def versions(self) -> list[int]:
        """The committed version numbers, oldest first."""
        return sorted(self.version_ids)


@dataclass(frozen=True)
class DeviceInfo:
    """A managed device as the inventory knows it."""

    device_id: str
    hostname: str
    ip_address: str
    reachable: bool


@dataclass(frozen=True)
class DeviceHealthInfo:
    """One device's health as Assurance reports it."""

    hostname: str
    ip_address: str
    health: str | None  # POOR | FAIR | GOOD
    reachable: bool


@dataclass(frozen=True)
class PreviewInfo:
    """A template rendered for a device, without deploying it."""

    complete: bool
    problems: tuple[str, ...] = ()
    cli: str = ""


@dataclass(frozen=True)
class ChangeSpec:
    """A normal change to create; `correlation_id` makes creation idempotent."""

    short_description: str
    description: str
    implementation_plan: str
    backout_plan: str
    test_plan: str
    justification: str
    risk: str
    configuration_items: tuple[str, ...]
    planned_start: str
    planned_end: str
    assignment_group: str
    correlation_id: str
    extra: Mapping[str, Any] = field(default_factory=dict)


class ChangeUpdate(TypedDict, total=False):
    """What `update_change` may set on a change; a field left out (or empty) stays as it is."""

    state: str | None
    work_notes: str | None  # added to the change's work notes
    close_code: str | None
    close_notes: str | None


@dataclass(frozen=True)
class DeploySpec:
    """A template version to deploy to devices, under the approved change it implements."""

    template_id: str
    device_ids: Sequence[str]
    params: Mapping[str, Any]
    version: int | None  # None: the latest
    # The policy refuses a deployment by the worker without one.
    change_number: str | None = None


@runtime_checkable
class PlatformTools(Protocol):
    """Catalyst Center and ServiceNow operations, each raising ToolCallFailed on failure."""

    async def get_template(self, template_id: str, *, on_behalf_of: str) -> TemplateInfo:
        """The template and its versions (ToolCallFailed, not retryable, when unknown)."""
        ...

    async def get_device(self, device_id: str, *, on_behalf_of: str) -> DeviceInfo:
        """One device (ToolCallFailed, not retryable, when unknown)."""
        ...

    async def device_health(self, *, on_behalf_of: str) -> Sequence[DeviceHealthInfo]:
        """Health of every monitored device."""
        ...

    async def preview_template(
        self, template_id: str, params: Mapping[str, Any], device_id: str, *, on_behalf_of: str
    ) -> PreviewInfo:
        """Render a template (or one version, by its id) for one device."""
        ...

    async def deploy_template(self, spec: DeploySpec, *, on_behalf_of: str) -> DeployOutcome:
        """Deploy and wait for the outcome; device failures are an outcome, not an error."""
        ...

    async def find_change(self, correlation_id: str, *, on_behalf_of: str) -> ChangeRecord | None:
        """The change carrying this correlation id, if one exists."""
        ...

    async def create_change(self, spec: ChangeSpec, *, on_behalf_of: str) -> ChangeRecord:
        """Create a normal change (state new)."""
        ...

    async def get_change(self, sys_id: str, *, on_behalf_of: str) -> ChangeRecord:
        """Where a change stands."""
        ...

    async def update_change(
        self, sys_id: str, *, on_behalf_of: str, **update: Unpack[ChangeUpdate]
    ) -> ChangeRecord:
        """Move a change to `state`, add a work note, or close it."""
        ...
