"""Approvals bound to the exact change: what the CAB approved is a SHA-256 of what deploys.

The binding covers the template (id, version, the version's own id), the parameters, the
devices and the configuration rendered for each device. It is computed before the change
is opened (its description carries every rendering and the digest) and again right before
implementation; deployment proceeds only when both digests agree. Plain dataclasses and
pure functions: the workflow may import them (no I/O, deterministic).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .models import ConfigPreview

__all__ = [
    "PREVIEW_LIMIT",
    "ApprovalCheck",
    "ApprovalVerdict",
    "BoundDeployment",
    "DeviceRendering",
    "RenderInput",
    "binding_digest",
    "binding_text",
    "preview_of",
]

PREVIEW_LIMIT = 8_000  # characters of rendered configuration a person is shown


@dataclass
class DeviceRendering:
    """The configuration one device would receive (secrets masked by Catalyst Center)."""

    device_id: str
    hostname: str
    cli: str


@dataclass
class RenderInput:
    """Render this template version with these parameters for these devices."""

    template_id: str
    version: int
    params: dict[str, Any]
    devices: list[tuple[str, str]]  # (device id, hostname)
    requested_by: str
    delegation: str = field(default="", repr=False)


@dataclass
class BoundDeployment:
    """What would be deployed, rendered per device, and its SHA-256."""

    template_id: str
    version: int
    version_id: str
    renderings: list[DeviceRendering]
    sha256: str


@dataclass
class ApprovalCheck:
    """Compare what the CAB approved with what is about to be deployed (and audit it)."""

    change_sys_id: str
    change_number: str
    approved_sha256: str
    current_sha256: str
    requested_by: str
    delegation: str = field(default="", repr=False)


@dataclass
class ApprovalVerdict:
    """Whether deployment may proceed, who approved, and why not when it may not."""

    matches: bool
    approvers: list[str] = field(default_factory=list)
    reason: str = ""


def binding_digest(
    template_id: str,
    version: int,
    version_id: str,
    params: dict[str, Any],
    renderings: list[DeviceRendering],
) -> str:
    """SHA-256 (hex) of the canonical JSON of everything that decides the configuration."""
    document = {
        "template_id": template_id,
        "version": version,
        "version_id": version_id,
        "params": params,
        "devices": [
            {"device_id": r.device_id, "hostname": r.hostname, "cli": r.cli}
            for r in sorted(renderings, key=lambda r: r.device_id)
        ],
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def binding_text(bound: BoundDeployment) -> str:
    """The change request's view of the binding: each device's configuration and the digest."""
    parts = [
        f"Template {bound.template_id} version {bound.version} (version id {bound.version_id}).",
        f"Approval binding SHA-256: {bound.sha256}",
        "Deployment proceeds only if what is deployed hashes to this value.",
    ]
    for rendering in bound.renderings:
        parts.append(f"--- {rendering.hostname} ({rendering.device_id}) ---\n{rendering.cli}")
    return "\n".join(parts)


def preview_of(bound: BoundDeployment, limit: int = PREVIEW_LIMIT) -> ConfigPreview:
    """What a person is shown before confirming: `binding_text`, clipped to `limit` characters.

    The digest comes first in the text, so clipping never loses it; a clipped text ends
    with a line saying how much is not shown.
    """
    text, truncated = binding_text(bound), False
    if len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        text = (
            f"{text[:cut]}\n[... truncated: {len(text) - cut} more characters of rendered "
            "configuration not shown; the SHA-256 above covers all of it]"
        )
        truncated = True
    return ConfigPreview(bound.sha256, [r.hostname for r in bound.renderings], text, truncated)
