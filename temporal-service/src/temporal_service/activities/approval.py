"""Approval activities: render what would be deployed and bind the CAB's approval to it.

`render_deployment` previews the exact template version for every device and hashes the
result (see `..approval`); `check_approval` compares the approved digest with the current
one, names the approvers, writes the verdict to the change and to the audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from temporalio import activity
from temporalio.exceptions import ApplicationError

from mcp_common.observability import audit

from ..approval import (
    ApprovalCheck,
    ApprovalVerdict,
    BoundDeployment,
    DeviceRendering,
    RenderInput,
    binding_digest,
)
from .support import ActivitiesBase, call_tool, serving

__all__ = ["ApprovalActivities", "ApprovalRecords"]


@runtime_checkable
class ApprovalRecords(Protocol):
    """Optional on PlatformTools: who approved a change (ServiceNow approval records)."""

    async def change_approvers(self, sys_id: str, *, on_behalf_of: str) -> Sequence[str]:
        """The users whose approval of the change is recorded as approved."""
        ...


class ApprovalActivities(ActivitiesBase):
    """Bind the CAB's approval to the exact configuration."""

    @activity.defn(name="render_deployment")
    async def render_deployment(self, data: RenderInput) -> BoundDeployment:
        """Render the version for every device, and hash template, params and renderings."""
        obo, tools = data.requested_by, self._tools
        with serving(obo, data.delegation):
            template = await call_tool(tools.get_template(data.template_id, on_behalf_of=obo))
            version_id = template.version_ids.get(data.version)
            if version_id is None:
                raise ApplicationError(
                    f"template {template.name} no longer has version {data.version}",
                    type="TemplateVersionGone",
                    non_retryable=True,
                )
            renderings = []
            for device_id, hostname in data.devices:
                preview = await call_tool(
                    tools.preview_template(version_id, data.params, device_id, on_behalf_of=obo)
                )
                renderings.append(DeviceRendering(device_id, hostname, preview.cli))
            digest = binding_digest(
                data.template_id, data.version, version_id, data.params, renderings
            )
            return BoundDeployment(data.template_id, data.version, version_id, renderings, digest)

    @activity.defn(name="check_approval")
    async def check_approval(self, data: ApprovalCheck) -> ApprovalVerdict:
        """Does what deploys now hash to what was approved? Audit and note the answer."""
        obo, tools = data.requested_by, self._tools
        with serving(obo, data.delegation):
            approvers: list[str] = []
            if isinstance(tools, ApprovalRecords):
                found = await call_tool(
                    tools.change_approvers(data.change_sys_id, on_behalf_of=obo)
                )
                approvers = sorted(found)
            matches = data.approved_sha256 == data.current_sha256
            fields = {
                "change.number": data.change_number,
                "change.approvers": approvers,
                "approval.sha256": data.approved_sha256,
                "deployment.sha256": data.current_sha256,
            }
            audit("workflow.approval.check", "success" if matches else "failure", **fields)
            if matches:
                return ApprovalVerdict(True, approvers)
            reason = (
                f"what would be deployed no longer matches what the CAB approved on change "
                f"{data.change_number} (approved SHA-256 {data.approved_sha256}, now "
                f"{data.current_sha256}): the template, its parameters or the devices changed "
                "after approval; nothing was deployed"
            )
            return ApprovalVerdict(False, approvers, reason)
