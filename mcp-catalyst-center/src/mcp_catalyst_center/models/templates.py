"""Results of the template tools: catalog, details, previews and deployments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field

from .common import Page, as_int
from .record import ApiRecord, Flag, Integer, Key, Text, Timestamp

__all__ = [
    "DeploymentResult",
    "DeviceDeployment",
    "TemplateDetail",
    "TemplateList",
    "TemplateParameter",
    "TemplatePreview",
    "TemplateSummary",
    "TemplateVersion",
]


# Read from the `versionsInfo` entries of a template.
class TemplateVersion(ApiRecord):
    """One committed version of a template."""

    id: Key = Field(description="Version id (pass as template_id to get or deploy this version)")
    version: Integer = Field(description="Version number")
    comment: Text = Field(
        description="Commit comment",
        validation_alias=AliasChoices("versionComment", "description"),
    )
    committed_at: Timestamp = Field(
        description="Commit time (ISO 8601 UTC)", validation_alias="versionTime"
    )


def _versions(raw: Mapping[str, Any]) -> list[TemplateVersion]:
    infos = [v for v in raw.get("versionsInfo") or [] if isinstance(v, dict)]
    return sorted((TemplateVersion.from_api(v) for v in infos), key=lambda v: v.version or 0)


# Read from `template-programmer/template` list entries.
class TemplateSummary(ApiRecord):
    """One template of the catalog, in brief."""

    id: Key = Field(
        description="Template id (latest committed version when deployed)",
        validation_alias=AliasChoices("templateId", "id"),
    )
    name: Text = Field(description="Template name")
    project: Text = Field(
        description="Project the template belongs to", validation_alias="projectName"
    )
    latest_version: Integer = Field(description="Latest committed version number")
    versions: int = Field(description="How many versions are committed")

    @classmethod
    def computed(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The committed versions: the latest and how many."""
        versions = _versions(raw)
        return {
            "latest_version": versions[-1].version if versions else None,
            "versions": len(versions),
        }


class TemplateList(Page):
    """A page of the template catalog."""

    templates: list[TemplateSummary] = Field(description="The templates of this page")


# Read from the `templateParams` entries of a template.
class TemplateParameter(ApiRecord):
    """A variable the template needs at deployment."""

    name: Key = Field(
        description="Parameter name (key of `params`)", validation_alias="parameterName"
    )
    required: Flag = Field(description="True when a value must be given")
    is_list: Flag = Field(
        description="True when the value is a list (iterated by #foreach)",
        validation_alias="paramArray",
    )
    data_type: Text = Field(description="STRING, INTEGER, ...")
    default_value: Text = Field(description="Default value, if any")
    description: Text = Field(description="What the parameter means")


# Read from a `template-programmer/template/{id}` body.
class TemplateDetail(ApiRecord):
    """One template version: content, parameters and version history."""

    id: Key = Field(description="Template (or version) id")
    name: Text = Field(description="Template name")
    project: Text = Field(description="Project", validation_alias="projectName")
    description: Text = Field(description="Description")
    version: Integer = Field(description="The version shown")
    language: Text = Field(description="VELOCITY or JINJA")
    software_type: Text = Field(description="Target software type")
    parent_template_id: Text = Field(description="Template id when this is a version")
    parameters: list[TemplateParameter] = Field(description="Variables to give at deployment")
    versions: list[TemplateVersion] = Field(description="Committed versions, oldest first")
    content: str | None = Field(description="Template body (secrets masked); null if not asked")

    @classmethod
    def computed(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Parameters in order, versions; no content (the caller sets it, masked, if asked)."""
        params = sorted(
            (p for p in raw.get("templateParams") or [] if isinstance(p, dict)),
            key=lambda p: as_int(p.get("order")) or 0,
        )
        return {
            "parameters": [TemplateParameter.from_api(p) for p in params if not p.get("notParam")],
            "versions": _versions(raw),
            "content": None,
        }


class TemplatePreview(BaseModel):
    """The CLI a template renders to with the given parameters."""

    template_id: str = Field(description="Template (or version) id")
    device_id: str | None = Field(description="Device the preview was made for, if any")
    complete: bool = Field(description="True when every parameter has a value")
    problems: list[str] = Field(description="Validation errors (missing parameters...)")
    masked_secrets: int = Field(description="How many secrets were masked in the CLI")
    cli: str = Field(description="Rendered configuration lines")


class DeviceDeployment(BaseModel):
    """What happened on one target device."""

    device_id: str | None = Field(description="Device id")
    hostname: str | None = Field(description="Hostname")
    ip_address: str | None = Field(description="Management IP address")
    status: str = Field(description="SUCCESS, FAILURE, or the last status seen")
    message: str | None = Field(description="Catalyst Center's detailed status message")


class DeploymentResult(BaseModel):
    """A finished template deployment: overall status and each device's outcome."""

    deployment_id: str = Field(description="Catalyst Center deployment id")
    task_id: str = Field(description="Task that created the deployment")
    template_name: str | None = Field(description="Template deployed")
    template_version: str | None = Field(description="Version deployed")
    status: Literal["SUCCESS", "FAILURE", "PARTIAL_FAILURE"] = Field(
        description="SUCCESS: every device; PARTIAL_FAILURE: some; FAILURE: none"
    )
    succeeded: int = Field(description="Devices configured")
    failed: int = Field(description="Devices not configured (see their message)")
    summary: str = Field(description="One sentence for a human")
    devices: list[DeviceDeployment] = Field(description="Per-device outcome")
