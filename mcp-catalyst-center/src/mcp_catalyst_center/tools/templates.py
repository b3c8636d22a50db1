"""Template tools: the catalog, one template, previews and deployments."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field

from mcp_common import Toolset, UpstreamError
from mcp_common.network import mask_config
from mcp_common.observability import audit, get_logger
from mcp_common.tasks import point_of_no_return, report_backend_job, report_progress

from ..client import CatalystCenterClient, as_records
from ..errors import BACKEND, InvalidArgument
from ..models.common import Page, as_str
from ..models.templates import (
    DeploymentResult,
    DeviceDeployment,
    TemplateDetail,
    TemplateList,
    TemplatePreview,
    TemplateSummary,
)
from .common import UUID_PATTERN, DeviceId, Limit, Offset

__all__ = ["template_tools"]

_log = get_logger(__name__)
_PENDING = frozenset({"INIT", "IN_PROGRESS", "PENDING", "SCHEDULED", "RUNNING"})
_DEPLOYMENT_ID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")

TemplateId = Annotated[
    str, Field(pattern=UUID_PATTERN, description="Template id, or a version id for that version")
]
ParamValue = str | int | float | bool | list[str]
_PARAMS_HELP = "Template parameters by name (see get_template); lists for #foreach"
Params = Annotated[dict[str, ParamValue], Field(description=_PARAMS_HELP)]
OptionalParams = Annotated[dict[str, ParamValue] | None, Field(description=_PARAMS_HELP)]


def template_tools(client: CatalystCenterClient) -> Toolset:
    """Tools over the template programmer; deploy_template changes device configurations."""
    ts = Toolset("templates", "Configuration templates: catalog, preview, deployment")

    @ts.tool(
        action="read", title="List configuration templates", cache_ttl=60, cache_tags={"templates"}
    )
    async def get_all_templates(
        project: Annotated[
            str | None, Field(min_length=1, max_length=128, description="Only this project")
        ] = None,
        name: Annotated[
            str | None,
            Field(min_length=1, max_length=128, description="Only names containing this text"),
        ] = None,
        offset: Offset = 1,
        limit: Limit = 100,
    ) -> TemplateList:
        """List the configuration templates (id, project, latest version) of the catalog."""
        rows = [TemplateSummary.from_api(r) for r in await client.templates(project)]
        if name:
            rows = [t for t in rows if name.lower() in (t.name or "").lower()]
        page = rows[offset - 1 : offset - 1 + limit]
        return TemplateList(**Page.paging(offset, limit, len(page), len(rows)), templates=page)

    @ts.tool(action="read", title="Get one template", cache_ttl=60, cache_tags={"templates"})
    async def get_template(
        template_id: TemplateId,
        include_content: Annotated[
            bool, Field(description="Include the template body (secrets masked)")
        ] = True,
    ) -> TemplateDetail:
        """Get a template's parameters, versions and (by default) its body."""
        raw = await client.template(template_id)
        detail = TemplateDetail.from_api(raw)
        if include_content:
            detail.content = mask_config(str(raw.get("templateContent") or "")).text
        return detail

    @ts.tool(action="execute", title="Preview a template", destructive=False, idempotent=True)
    async def preview_template(
        template_id: TemplateId,
        params: Params,
        device_id: Annotated[
            str | None, Field(pattern=UUID_PATTERN, description="Render for this device")
        ] = None,
    ) -> TemplatePreview:
        """Render a template with parameters, without deploying it; lists missing parameters."""
        body: dict[str, Any] = {"templateId": template_id, "params": params}
        if device_id:
            body["deviceId"] = device_id
        answer = await client.preview_template(body)
        problems = [
            str(e.get("message") or e.get("type") or e)
            for e in as_records(answer.get("validationErrors"))
        ]
        masked = mask_config(str(answer.get("cliPreview") or ""))
        return TemplatePreview(
            template_id=template_id,
            device_id=device_id,
            complete=not problems,
            problems=problems,
            masked_secrets=masked.masked,
            cli=masked.text,
        )

    # A deployment changes the devices' configuration (and their inventory records).
    @ts.tool(
        action="write", title="Deploy a template to devices", invalidates={"config", "inventory"}
    )
    async def deploy_template(
        template_id: TemplateId,
        device_ids: Annotated[
            list[DeviceId],
            Field(min_length=1, max_length=100, description="Target device ids (UUIDs)"),
        ],
        params: OptionalParams = None,
        per_device_params: Annotated[
            dict[str, dict[str, ParamValue]] | None,
            Field(description="Parameters for some devices only (device id -> params)"),
        ] = None,
        version: Annotated[
            int | None, Field(ge=1, description="Deploy this committed version (default latest)")
        ] = None,
        change_number: Annotated[
            str | None,
            Field(
                pattern=r"^CHG[0-9]{4,12}$",
                description="The approved ServiceNow change this deployment implements "
                "(required when automation deploys for a person)",
            ),
        ] = None,
    ) -> DeploymentResult:
        """Push a template's configuration to devices and wait for the outcome on each.

        Device failures are reported per device in the result (status PARTIAL_FAILURE or
        FAILURE), not as an error; errors mean the deployment could not run or finish.
        Can run as an MCP task (io.modelcontextprotocol/tasks): the call then answers at
        once and tasks/get shows progress (devices done) and, in the end, this result. A
        task can be cancelled only until the deployment is submitted to Catalyst Center.
        """
        if len(set(device_ids)) != len(device_ids):
            raise InvalidArgument("device_ids lists a device twice")
        unknown = sorted(set(per_device_params or {}) - set(device_ids))
        if unknown:
            raise InvalidArgument(f"per_device_params names devices not in device_ids: {unknown}")
        pinned = await _version_id(client, template_id, version) if version else None
        targets = []
        for device_id in device_ids:
            target: dict[str, Any] = {
                "id": device_id,
                "type": "MANAGED_DEVICE_UUID",
                "params": {**(params or {}), **(per_device_params or {}).get(device_id, {})},
            }
            if pinned:
                target["versionedTemplateId"] = pinned
            targets.append(target)
        body = {"templateId": template_id, "forcePushTemplate": False, "targetInfo": targets}
        total = len(device_ids)
        await report_progress(0, total, f"0/{total} devices done: submitting the deployment")
        # Before the request is sent: once Catalyst Center has it, it may deploy anyway.
        await point_of_no_return(
            "the deployment was submitted to Catalyst Center, which cannot recall it; "
            "the outcome follows"
        )
        task_id = await client.deploy_template(body)
        await report_backend_job(
            f"Catalyst Center task {task_id}", hint=f"see get_task(task_id='{task_id}')"
        )

        async def task_progress(task: dict[str, Any]) -> None:
            step = mask_config(str(task.get("progress") or "running")[:200]).text
            await report_progress(
                0, total, f"0/{total} devices done: Catalyst Center task {task_id}: {step}"
            )

        task = await client.wait_for_task(task_id, on_poll=task_progress)
        deployment_id = _deployment_id(task)

        async def device_progress(raw: dict[str, Any]) -> None:
            ended = [
                as_str(d.get("name") or d.get("hostName") or d.get("deviceId")) or "?"
                for d in as_records(raw.get("devices"))
                if str(d.get("status") or "").upper() not in _PENDING
            ]
            names = f": {', '.join(ended[:10])}" if ended else ""
            await report_progress(
                len(ended),
                total,
                f"{len(ended)}/{total} devices done (deployment {deployment_id}){names}",
            )

        status = await client.poll(
            lambda: client.deployment_status(deployment_id),
            lambda s: str(s.get("status") or "").upper() not in _PENDING,
            f"deployment {deployment_id}",
            hint=f"its deployment id is {deployment_id}",
            on_poll=device_progress,
        )
        result = _result(task_id, deployment_id, status)
        audit(
            "catalyst_center.template_deploy",
            "success" if result.status == "SUCCESS" else "failure",
            **{"template.id": template_id, "deployment.id": deployment_id,
               "change.number": change_number,
               "devices.succeeded": result.succeeded, "devices.failed": result.failed},
        )  # fmt: skip
        return result

    return ts


async def _version_id(client: CatalystCenterClient, template_id: str, version: int) -> str:
    """The id of a committed version (for rollback to an older one)."""
    versions = TemplateDetail.from_api(await client.template(template_id)).versions
    for info in versions:
        if info.version == version:
            return info.id
    known = ", ".join(str(v.version) for v in versions) or "none"
    raise InvalidArgument(f"template {template_id} has no version {version} (versions: {known})")


def _deployment_id(task: dict[str, Any]) -> str:
    """The deployment id a finished deploy task names (in `data`, else in `progress`)."""
    for text in (task.get("data"), task.get("progress")):
        match = _DEPLOYMENT_ID.search(str(text or ""))
        if match:
            return match.group(0)
    raise UpstreamError("the deployment task finished without a deployment id", backend=BACKEND)


def _result(task_id: str, deployment_id: str, raw: dict[str, Any]) -> DeploymentResult:
    devices = [
        DeviceDeployment(
            device_id=as_str(d.get("deviceId") or d.get("identifier")),
            hostname=as_str(d.get("name") or d.get("hostName")),
            ip_address=as_str(d.get("ipAddress")),
            status=str(d.get("status") or "UNKNOWN").upper(),
            message=mask_config(str(d.get("detailedStatusMessage") or "")).text or None,
        )
        for d in as_records(raw.get("devices"))
    ]
    ok = sum(1 for d in devices if d.status == "SUCCESS")
    failed = len(devices) - ok
    status = "SUCCESS" if failed == 0 and ok else ("FAILURE" if ok == 0 else "PARTIAL_FAILURE")
    summary = f"Template deployed on {ok} of {len(devices)} device(s)"
    if failed:
        names = ", ".join(
            d.hostname or d.device_id or "?" for d in devices if d.status != "SUCCESS"
        )
        summary += f"; failed on {names}"
    return DeploymentResult(
        deployment_id=deployment_id,
        task_id=task_id,
        template_name=as_str(raw.get("templateName")),
        template_version=as_str(raw.get("templateVersion")),
        status=status,
        succeeded=ok,
        failed=failed,
        summary=summary,
        devices=devices,
    )
