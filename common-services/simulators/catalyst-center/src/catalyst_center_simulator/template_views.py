"""Template-programmer JSON views: the template list, one template's details, and previews."""

from __future__ import annotations

import uuid
from typing import Any

from .templates import Template, TemplateVersion, param_names, render

__all__ = ["preview", "template_detail", "template_summary"]

_NS = uuid.UUID("5a7e2b90-1c3d-4e5f-8a9b-4c0ffee00004")
_FAMILIES = ({"productFamily": "Switches and Hubs"}, {"productFamily": "Routers"},
             {"productFamily": "Wireless Controller"})  # fmt: skip


def _versions_info(template: Template) -> list[dict[str, Any]]:
    return [
        {"id": v.id, "version": str(v.version), "versionComment": v.comment,
         "description": v.comment, "versionTime": v.time_ms, "author": "admin"}
        for v in template.versions
    ]  # fmt: skip


def template_summary(template: Template) -> dict[str, Any]:
    """One entry of `GET /dna/intent/api/v1/template-programmer/template` (a bare list)."""
    return {
        "name": template.name,
        "projectName": template.project,
        "projectId": template.project_id,
        "templateId": template.id,
        "versionsInfo": _versions_info(template),
        "composite": False,
    }


def _params(template: Template, version: TemplateVersion) -> list[dict[str, Any]]:
    names, lists = param_names(version.content)
    return [
        {"id": str(uuid.uuid5(_NS, f"{template.id}/{name}")), "parameterName": name,
         "dataType": "STRING", "defaultValue": None, "description": None, "displayName": name,
         "instructionText": "", "required": True, "notParam": False,
         "paramArray": name in lists, "order": order, "customOrder": 0, "binding": "",
         "group": None, "key": None, "provider": None, "range": [], "selection": None}
        for order, name in enumerate(names, start=1)
    ]  # fmt: skip


def template_detail(
    template: Template, version: TemplateVersion, *, as_parent: bool
) -> dict[str, Any]:
    """`GET .../template-programmer/template/{id}`: by template id (latest) or version id."""
    view: dict[str, Any] = {
        "id": template.id if as_parent else version.id,
        "name": template.name,
        "description": template.description,
        "projectName": template.project,
        "projectId": template.project_id,
        "author": "admin",
        "tags": [],
        "deviceTypes": list(_FAMILIES),
        "softwareType": "IOS-XE",
        "softwareVariant": "XE",
        "language": "VELOCITY",
        "templateContent": version.content,
        "templateParams": _params(template, version),
        "rollbackTemplateContent": "",
        "rollbackTemplateParams": [],
        "composite": False,
        "customParamsOrder": False,
        "documentDatabase": False,
        "createTime": template.versions[0].time_ms,
        "lastUpdateTime": version.time_ms,
        "latestVersionTime": template.latest.time_ms,
        "version": str(version.version),
        "validationErrors": {"templateErrors": [], "rollbackTemplateErrors": [],
                             "templateId": template.id, "templateVersion": str(version.version)},
    }  # fmt: skip
    if as_parent:
        view["versionsInfo"] = _versions_info(template)
    else:
        view["parentTemplateId"] = template.id
    return view


def preview(
    template_id: str, version: TemplateVersion, params: dict[str, Any], device_id: str | None
) -> dict[str, Any]:
    """`PUT .../template/preview`: rendered CLI; unresolved parameters are validation errors."""
    text, missing = render(version.content, params)
    errors = [
        {"type": "MISSING_PARAMETER", "paramName": name,
         "message": f"Mandatory parameter '{name}' has no value"}
        for name in missing
    ]  # fmt: skip
    return {
        "cliPreview": text,
        "deviceId": device_id,
        "templateId": template_id,
        "validationErrors": errors,
    }
