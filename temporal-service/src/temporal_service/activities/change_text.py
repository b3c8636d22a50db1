"""The words of the change request: summary, plans and who asked, within ServiceNow's limits."""

from __future__ import annotations

from ..models import OpenChangeInput
from .platform import ChangeSpec

__all__ = ["MAX_CIS", "change_spec", "confirmation_line", "requester_line"]

MAX_CIS = 10  # create_change takes at most 10 CIs; the others are named in the description
_SHORT, _LONG = 160, 4000


def _clip(text: str, limit: int, marker: str = "\n[... truncated]") -> str:
    return text if len(text) <= limit else text[: limit - len(marker)] + marker


def requester_line(requester_name: str, subject: str) -> str:
    """Who asked, as every note of the change names them."""
    name = requester_name or subject
    return f"Requested by {name} (subject {subject}) through the MCP platform"


def confirmation_line(confirmed_by: str, confirmed_at: str) -> str:
    """Who confirmed the rendered configuration before the change was opened (ADR 0007)."""
    when = f" at {confirmed_at}" if confirmed_at else ""
    return (
        f"Confirmed by {confirmed_by}{when} after reviewing the rendered configuration, "
        "before this change was opened (its SHA-256 is in the implementation plan)."
    )


def change_spec(data: OpenChangeInput) -> ChangeSpec:
    """The normal change for a validated deployment request."""
    request, validation = data.request, data.validation
    hosts = [d.hostname for d in validation.devices]
    label = f"{validation.template_name or request.template_id} v{validation.version}"
    short = f"Deploy template {label} to {len(hosts)} device(s): {', '.join(hosts)}"
    # Parameter names only: values may be sensitive, the rendered preview is masked upstream.
    params = ", ".join(sorted(request.params)) or "none"
    lines = [
        f"{requester_line(request.requester_name, request.requested_by)}, "
        f"workflow {data.correlation_id}.",
        f"Reason: {request.reason}",
        f"Template: {label} (id {request.template_id}); parameters: {params}",
        f"Devices: {', '.join(hosts)}",
    ]
    if data.confirmed_by:
        lines.append(confirmation_line(data.confirmed_by, data.confirmed_at))
    description = "\n".join(lines)
    if validation.previous_version is not None:
        backout = (
            f"Re-deploy version {validation.previous_version} of template {label.split(' v')[0]}"
            " through Catalyst Center (done automatically when deployment or verification fails)"
        )
    else:
        backout = "No previous template version exists: remove the configuration by hand"
    plan = "\n".join(
        [
            "1. Move the change to Implement.",
            f"2. Deploy {label} through Catalyst Center to {', '.join(hosts)}; wait for the end.",
            "3. Verify reachability and health of every device (Catalyst Center Assurance).",
            "4. Close the change (successful), or roll back and close it unsuccessful.",
            "",
            "Rendered configuration (secrets masked) and the approval binding:",
            validation.preview or "(no preview)",
        ]
    )
    return ChangeSpec(
        short_description=_clip(short, _SHORT, "..."),
        description=_clip(description, _LONG),
        implementation_plan=_clip(plan, _LONG),
        backout_plan=_clip(backout, _LONG),
        test_plan="Every device reachable and its Assurance health not POOR after the change.",
        justification=_clip(request.reason, _LONG),
        risk=request.risk,
        configuration_items=tuple(hosts[:MAX_CIS]),
        planned_start=data.planned_start,
        planned_end=data.planned_end,
        assignment_group=request.assignment_group,
        correlation_id=data.correlation_id,
    )
