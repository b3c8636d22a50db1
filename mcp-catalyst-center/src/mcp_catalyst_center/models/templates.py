"""Results of the template tools: catalog, details, previews and deployments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field

from .common import Page, as_int, as_str, iso_time

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


class TemplateVersion(BaseModel):
    """One committed version of a template."""

    id: str = Field(description="Version id (pass as template_id to get or deploy this version)")
    version: int | None = Field(description="Version number")
    comment: str | None = Field(description="Commit comment")
    committed_at: str | None = Field(description="Commit time (ISO 8601 UTC)")

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> TemplateVersion:
        """From a `versionsInfo` entry."""
        return cls(
            id=str(raw.get("id") or ""),
            version=as_int(raw.get("version")),
            comment=as_str(raw.get("versionComment") or raw.get("description")),
            committed_at=iso_time(raw.get("versionTime")),
        )


def _versions(raw: Mapping[str, Any]) -> list[TemplateVersion]:
    infos = [v for v in raw.get("versionsInfo") or [] if isinstance(v, dict)]
    return sorted((TemplateVersion.from_api(v) for v in infos), key=lambda v: v.version or 0)


class TemplateSummary(BaseModel):
    """One template of the catalog, in brief."""

    id: str = Field(description="Template id (latest committed version when deployed)")
    name: str | None = Field(description="Template name")
    project: str | None = Field(description="Project the template belongs to")
    latest_version: int | None = Field(description="Latest committed version number")
    versions: int = Field(description="How many versions are committed")

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> TemplateSummary:
        """From a `template-programmer/template` list entry."""
        versions = _versions(raw)
        return cls(
            id=str(raw.get("templateId") or raw.get("id") or ""),
            name=as_str(raw.get("name")),
            project=as_str(raw.get("projectName")),
            latest_version=versions[-1].version if versions else None,
            versions=len(versions),
        )


class TemplateList(Page):
    """A page of the template catalog."""

    templates: list[TemplateSummary] = Field(description="The templates of this page")


class TemplateParameter(BaseModel):
    """A variable the template needs at deployment."""

    name: str = Field(description="Parameter name (key of `params`)")
    required: bool = Field(description="True when a value must be given")
    is_list: bool = Field(description="True when the value is a list (iterated by #foreach)")
    data_type: str | None = Field(description="STRING, INTEGER, ...")
    default_value: str | None = Field(description="Default value, if any")
    description: str | None = Field(description="What the parameter means")


class TemplateDetail(BaseModel):
    """One template version: content, parameters and version history."""

    id: str = Field(description="Template (or version) id")
    name: str | None = Field(description="Template name")
    project: str | None = Field(description="Project")
    description: str | None = Field(description="Description")
    version: int | None = Field(description="The version shown")
    language: str | None = Field(description="VELOCITY or JINJA")
    software_type: str | None = Field(description="Target software type")
    parent_template_id: str | None = Field(description="Template id when this is a version")
    parameters: list[TemplateParameter] = Field(description="Variables to give at deployment")
    versions: list[TemplateVersion] = Field(description="Committed versions, oldest first")
    content: str | None = Field(description="Template body (secrets masked); null if not asked")

    @classmethod
    def from_api(cls, raw: Mapping[str, Any], content: str | None) -> TemplateDetail:
        """From a `template-programmer/template/{id}` body."""
        params = [
            TemplateParameter(
                name=str(p.get("parameterName") or ""),
                required=bool(p.get("required")),
                is_list=bool(p.get("paramArray")),
                data_type=as_str(p.get("dataType")),
                default_value=as_str(p.get("defaultValue")),
                description=as_str(p.get("description")),
            )
            for p in sorted(
                (p for p in raw.get("templateParams") or [] if isinstance(p, dict)),
                key=lambda p: as_int(p.get("order")) or 0,
            )
            if not p.get("notParam")
        ]
        return cls(
            id=str(raw.get("id") or ""),
            name=as_str(raw.get("name")),
            project=as_str(raw.get("projectName")),
            description=as_str(raw.get("description")),
            version=as_int(raw.get("version")),
            language=as_str(raw.get("language")),
            software_type=as_str(raw.get("softwareType")),
            parent_template_id=as_str(raw.get("parentTemplateId")),
            parameters=params,
            versions=_versions(raw),
            content=content,
        )


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
