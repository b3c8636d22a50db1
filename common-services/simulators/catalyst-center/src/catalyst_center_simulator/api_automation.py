"""Intent API routes that act: templates (list, get, preview, deploy), tasks, command runner."""

from __future__ import annotations

import json
import uuid
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulator_kit.network import (
    BLACKLISTED,
    DEVICES,
    FAILURE,
    SUCCESS,
    ports_for,
    run_command,
)

from .api_inventory import state_of
from .deploy import plan_deployment, resolve_template
from .jobs import deployment_view, task_view
from .responses import ApiError, found, ok, read_json
from .state import CatalystCenterState
from .template_views import preview, template_detail, template_summary
from .templates import CATALOG

__all__ = ["automation_routes"]

_V1 = "/dna/intent/api/v1"
_TP = f"{_V1}/template-programmer/template"
_DEPLOY_V2 = "/dna/intent/api/v2/template-programmer/template/deploy"


def _accepted(task_id: str) -> Response:
    return ok({"taskId": task_id, "url": f"/api/v1/task/{task_id}"}, status=202)


async def list_templates(request: Request) -> Response:
    """GET /template-programmer/template: a bare list; projectNames/projectId filters."""
    q = request.query_params
    projects = {p for raw in q.getlist("projectNames") + q.getlist("projectName")
                for p in raw.split(",") if p}  # fmt: skip
    rows = [t for t in CATALOG if not projects or t.project in projects]
    if q.get("projectId"):
        rows = [t for t in rows if t.project_id == q["projectId"]]
    return JSONResponse([template_summary(t) for t in rows])


async def get_template(request: Request) -> Response:
    """GET /template-programmer/template/{id}: template id -> latest, version id -> that one."""
    template_id = request.path_params["templateId"]
    template, version = found(resolve_template(template_id), "template", template_id)
    return JSONResponse(template_detail(template, version, as_parent=template.id == template_id))


async def preview_template(request: Request) -> Response:
    """PUT /template-programmer/template/preview {templateId, params, deviceId?}."""
    body = await read_json(request)
    template_id = body.get("templateId")
    resolved = resolve_template(template_id) if isinstance(template_id, str) else None
    _, version = found(resolved, "template", template_id)
    params = body.get("params") or {}
    if not isinstance(params, dict):
        raise ApiError(400, "'params' must be an object")
    device_id = body.get("deviceId")
    return JSONResponse(preview(str(template_id), version, params, device_id))


async def deploy_v2(request: Request) -> Response:
    """POST /v2/template-programmer/template/deploy -> task; its progress names the deployment."""
    state = state_of(request)
    deployment = plan_deployment(state, await read_json(request))
    task = state.new_task(
        "NCTP",
        "Template deployment is in progress",
        f"Template Deployemnt Id: {deployment.id}",  # sic: the real API's spelling
        done_data=deployment.id,
        on_done=lambda: state.publish_deployment(deployment),
    )
    return _accepted(task.id)


async def deploy_status(request: Request) -> Response:
    """GET /template-programmer/template/deploy/status/{deploymentId}."""
    deployment_id = request.path_params["deploymentId"]
    deployment = found(
        state_of(request).poll_deployment(deployment_id), "deployment", deployment_id
    )
    return JSONResponse(deployment_view(deployment))


async def get_task(request: Request) -> Response:
    """GET /task/{taskId}: completes after `task_polls` polls (unless made to hang or fail)."""
    task_id = request.path_params["taskId"]
    task = found(state_of(request).poll_task(task_id), "task", task_id)
    return ok(task_view(task))


def _strings(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name)
    if not isinstance(value, list) or not value:
        raise ApiError(400, f"'{name}' must be a non-empty list of strings")
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise ApiError(400, f"'{name}' must contain only non-empty strings")
    return value


def _run_all(state: CatalystCenterState, commands: list[str], uuids: list[str]) -> list[Any]:
    reachable_ips = frozenset(
        p.ipv4 for d in DEVICES if state.is_reachable(d) for p in ports_for(d) if p.ipv4
    )
    results = []
    for device_uuid in uuids:
        device = state.devices[device_uuid]
        buckets: dict[str, dict[str, str]] = {SUCCESS: {}, FAILURE: {}, BLACKLISTED: {}}
        for command in commands:
            state.log_cli(device, command)
            bucket, text = run_command(
                device,
                command,
                reachable=state.is_reachable(device),
                running_config=partial(state.config, device),
                uptime=state.now_ms() / 1000 - state.boot_epoch(device),
                reachable_ips=reachable_ips,
            )
            buckets[bucket][command] = text
        results.append({"deviceUuid": device_uuid, "commandResponses": buckets})
    return results


async def cli_read_request(request: Request) -> Response:
    """POST /network-device-poller/cli/read-request {commands, deviceUuids, timeout?} -> task."""
    state = state_of(request)
    body = await read_json(request)
    commands, uuids = _strings(body, "commands"), _strings(body, "deviceUuids")
    unknown = [u for u in uuids if u not in state.devices]
    if unknown:
        raise ApiError(400, "Invalid device uuid(s)", f"Unknown deviceUuids: {', '.join(unknown)}")
    results = _run_all(state, commands, uuids)
    file_id = str(uuid.uuid4())
    task = state.new_task(
        "Command Runner Service",
        "CLI Runner request creation",
        json.dumps({"fileId": file_id}),  # a JSON *string*, as the real API returns it
        on_done=lambda: state.publish_file(file_id, results),
    )
    return _accepted(task.id)


async def get_file(request: Request) -> Response:
    """GET /file/{fileId}: the command-runner results, one entry per device."""
    file_id = request.path_params["fileId"]
    state = state_of(request)
    with state.locked():
        content = state.files.get(file_id)
    return JSONResponse(found(content, "file", file_id))


def automation_routes() -> list[Route]:
    """The action routes."""
    return [
        Route(_TP, list_templates, methods=["GET"]),
        Route(f"{_TP}/preview", preview_template, methods=["PUT"]),
        Route(f"{_TP}/deploy/status/{{deploymentId}}", deploy_status, methods=["GET"]),
        Route(f"{_TP}/{{templateId}}", get_template, methods=["GET"]),
        Route(
            "/dna/intent/api/v2/template-programmer/template/deploy", deploy_v2, methods=["POST"]
        ),
        Route(f"{_V1}/task/{{taskId}}", get_task, methods=["GET"]),
        Route(f"{_V1}/network-device-poller/cli/read-request", cli_read_request, methods=["POST"]),
        Route(f"{_V1}/file/{{fileId}}", get_file, methods=["GET"]),
    ]
