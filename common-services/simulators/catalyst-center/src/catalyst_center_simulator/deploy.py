"""Template deployment requests (`POST /dna/intent/api/v2/template-programmer/template/deploy`)."""

from __future__ import annotations

import uuid
from typing import Any

from .jobs import Deployment, Outcome
from .responses import ApiError
from .state import CatalystCenterState
from .templates import CATALOG, Template, TemplateVersion, render

__all__ = ["TARGET_TYPES", "plan_deployment", "resolve_template"]

TARGET_TYPES = ("MANAGED_DEVICE_IP", "MANAGED_DEVICE_HOSTNAME", "MANAGED_DEVICE_UUID")


def resolve_template(template_id: str) -> tuple[Template, TemplateVersion] | None:
    """A template id resolves to its latest version; a version id to that version."""
    for template in CATALOG:
        if template.id == template_id:
            return template, template.latest
        version = template.version_by_id(template_id)
        if version is not None:
            return template, version
    return None


def _identifier(target: dict[str, Any], kind: str) -> str:
    value = target.get("hostName") if kind == "MANAGED_DEVICE_HOSTNAME" else None
    value = value or target.get("id")
    if not isinstance(value, str) or not value:
        field = "hostName' or 'id" if kind == "MANAGED_DEVICE_HOSTNAME" else "id"
        raise ApiError(400, f"targetInfo entry of type {kind} needs '{field}'")
    return value


def _outcome(
    state: CatalystCenterState,
    template: Template,
    version: TemplateVersion,
    target: dict[str, Any],
) -> Outcome:
    kind = target.get("type")
    if kind not in TARGET_TYPES:
        raise ApiError(400, f"Invalid targetInfo type {kind!r}; expected one of {TARGET_TYPES}")
    identifier = _identifier(target, kind)
    params = target.get("params") or {}
    if not isinstance(params, dict):
        raise ApiError(400, "targetInfo 'params' must be an object")
    wanted = {"MANAGED_DEVICE_IP": "ip", "MANAGED_DEVICE_HOSTNAME": "hostname"}.get(kind, "id")
    device = state.device(identifier)
    if device is None or getattr(device, wanted) != identifier:
        return Outcome(identifier, kind, None, None, None, False,
                       f"Device not found in inventory: {identifier}")  # fmt: skip
    base = Outcome(identifier, kind, device.id, device.hostname, device.ip, False, "", "", params,
                   version.version, version.id)  # fmt: skip
    rendered, missing = render(version.content, params)
    if missing:
        base.message = f"Missing mandatory template parameter(s): {', '.join(missing)}"
    elif not state.is_reachable(device):
        base.message = f"Device {device.ip} is unreachable; configuration was not pushed"
    elif template.fails_on_device:
        base.message = (f"Error pushing configuration to {device.hostname}: line "
                        f"'{template.fails_on_device}' rejected: % Invalid input detected at "
                        "'^' marker.")  # fmt: skip
    else:
        base.ok, base.rendered = True, rendered
        base.message = f"Provisioning success for template {template.name}"
    return base


def plan_deployment(state: CatalystCenterState, body: dict[str, Any]) -> Deployment:
    """Validate the request and decide each target's outcome (applied when it completes)."""
    template_id = body.get("templateId")
    if not isinstance(template_id, str) or not template_id:
        raise ApiError(400, "'templateId' is required")
    resolved = resolve_template(template_id)
    if resolved is None:
        raise ApiError(404, f"Template not found: {template_id}")
    template, version = resolved
    targets = body.get("targetInfo")
    if (
        not isinstance(targets, list)
        or not targets
        or not all(isinstance(t, dict) for t in targets)
    ):
        raise ApiError(400, "'targetInfo' must be a non-empty list of objects")
    outcomes = []
    for target in targets:
        pinned = target.get("versionedTemplateId")
        chosen = template.version_by_id(str(pinned)) if pinned else version
        if chosen is None:
            message = f"versionedTemplateId {pinned} is not a version of {template.name}"
            raise ApiError(400, message)
        outcomes.append(_outcome(state, template, chosen, target))
    return Deployment(str(uuid.uuid4()), template, version, outcomes, state.now_ms(),
                      state.task_polls)  # fmt: skip
