"""Network activities: validate before the change, deploy and verify during it.

A retried deployment re-pushes the same template version with the same parameters: the
same configuration ends on the devices (Catalyst Center does not re-push an unchanged
template unless forced), so retrying after a lost worker is safe.
"""

from __future__ import annotations

from temporalio import activity

from mcp_common.observability import audit

from ..models import (
    DeployInput,
    DeploymentRequest,
    DeployOutcome,
    DeviceTarget,
    ValidationResult,
    VerifyInput,
    VerifyResult,
)
from .platform import DeploySpec, DeviceHealthInfo, ToolCallFailed
from .support import ActivitiesBase, call_tool, heartbeating, serving

__all__ = ["NetworkActivities"]


class NetworkActivities(ActivitiesBase):
    """Catalyst Center side of the workflow."""

    @activity.defn(name="validate_deployment")
    async def validate_deployment(self, request: DeploymentRequest) -> ValidationResult:
        """Step 1: template and version exist, devices exist and are reachable, preview renders."""
        obo, tools = request.requested_by, self._tools
        with serving(obo, request.delegation):
            try:
                template = await tools.get_template(request.template_id, on_behalf_of=obo)
            except ToolCallFailed as exc:
                if exc.retryable:
                    raise
                return ValidationResult(valid=False, problems=[str(exc)])
            versions = template.versions
            version = request.version or (versions[-1] if versions else None)
            if version is None or version not in versions:
                problem = f"template {template.name} has no committed version {version}"
                return ValidationResult(valid=False, problems=[problem])
            previous = max((v for v in versions if v < version), default=None)
            problems: list[str] = []
            devices = [
                d for d in [await self._device(i, obo, problems) for i in request.device_ids] if d
            ]
            health = await self._health(obo)
            preview = ""
            for device in devices:
                known = health.get(device.ip_address) or health.get(device.hostname)
                device.health = known.health if known else None
                rendered = await call_tool(
                    tools.preview_template(
                        template.version_ids[version],
                        request.params,
                        device.device_id,
                        on_behalf_of=obo,
                    )
                )
                if not rendered.complete:
                    problems.append(
                        f"preview for {device.hostname} is incomplete: "
                        + ("; ".join(rendered.problems) or "missing parameters")
                    )
                preview = preview or rendered.cli
            return ValidationResult(
                valid=not problems,
                problems=problems,
                template_name=template.name,
                version=version,
                previous_version=previous,
                devices=devices,
                preview=preview,
            )

    async def _health(self, obo: str) -> dict[str, DeviceHealthInfo]:
        """Device health by IP address and by hostname."""
        found = await call_tool(self._tools.device_health(on_behalf_of=obo))
        return {key: h for h in found for key in (h.ip_address, h.hostname) if key}

    async def _device(self, device_id: str, obo: str, problems: list[str]) -> DeviceTarget | None:
        try:
            info = await self._tools.get_device(device_id, on_behalf_of=obo)
        except ToolCallFailed as exc:
            if exc.retryable:
                raise
            problems.append(f"device {device_id}: {exc}")
            return None
        if not info.reachable:
            problems.append(f"device {info.hostname} ({info.ip_address}) is unreachable")
        return DeviceTarget(info.device_id, info.hostname, info.ip_address)

    @activity.defn(name="deploy_template")
    async def deploy_template(self, data: DeployInput) -> DeployOutcome:
        """Step 4b: deploy and wait for the end; a refused deployment is a FAILURE outcome."""
        with serving(data.requested_by, data.delegation):
            async with heartbeating():
                spec = DeploySpec(
                    data.template_id,
                    data.device_ids,
                    data.params,
                    data.version,
                    data.change_number or None,
                )
                try:
                    outcome = await self._tools.deploy_template(
                        spec, on_behalf_of=data.requested_by
                    )
                except ToolCallFailed as exc:
                    if exc.retryable:
                        raise
                    outcome = DeployOutcome(status="FAILURE", summary=str(exc))
            audit(
                "workflow.template.deploy",
                "success" if outcome.succeeded else "failure",
                **{
                    "change.number": data.change_number,
                    "deployment.id": outcome.deployment_id,
                    "template.id": data.template_id,
                    "template.version": data.version,
                },
            )
            return outcome

    @activity.defn(name="verify_deployment")
    async def verify_deployment(self, data: VerifyInput) -> VerifyResult:
        """Step 5: every device reachable, and none fell to POOR health."""
        obo = data.requested_by
        with serving(obo, data.delegation):
            health = await self._health(obo)
            problems = []
            for device in data.devices:
                info = await call_tool(self._tools.get_device(device.device_id, on_behalf_of=obo))
                now = health.get(device.ip_address) or health.get(device.hostname)
                if not info.reachable or (now is not None and not now.reachable):
                    problems.append(f"{device.hostname} is unreachable after the change")
                elif now is not None and now.health == "POOR" and device.health != "POOR":
                    problems.append(f"{device.hostname} health fell to POOR")
            return VerifyResult(healthy=not problems, problems=problems)
