"""Read-only Intent API routes: devices, configs, interfaces, sites, health and issues."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulator_kit.network import DEVICES, Device, ports_for

from . import assurance
from .devices import filter_devices, network_device
from .interfaces import interface_view
from .responses import API_VERSION, ApiError, found, int_param, ok
from .sites import site_nodes, site_v1_view, site_view
from .state import CatalystCenterState

__all__ = ["inventory_routes", "state_of"]

_V1 = "/dna/intent/api/v1"


def state_of(request: Request) -> CatalystCenterState:
    """The simulator state attached to the app."""
    state: CatalystCenterState = request.app.state.cc
    return state


def _device_or_404(state: CatalystCenterState, device_id: str) -> Device:
    return found(state.devices.get(device_id), "network device", device_id)


def _view(state: CatalystCenterState, device: Device) -> dict[str, Any]:
    reachable, boot = state.is_reachable(device), state.boot_epoch(device)
    return network_device(device, reachable=reachable, boot_epoch=boot, now=state.now_ms() / 1000)


def _filtered(request: Request) -> list[dict[str, Any]]:
    state = state_of(request)
    params = {key: request.query_params.getlist(key) for key in request.query_params}
    return filter_devices((_view(state, d) for d in DEVICES), params)


def _page(request: Request, rows: list[Any], default: int, maximum: int) -> list[Any]:
    offset = int_param(request, "offset", 1, minimum=1)
    limit = int_param(request, "limit", default, minimum=1, maximum=maximum)
    return rows[offset - 1 : offset - 1 + limit]


async def list_devices(request: Request) -> Response:
    """GET /network-device: filters may repeat; offset is 1-based; 1 <= limit <= 500."""
    return ok(_page(request, _filtered(request), 500, 500))


async def count_devices(request: Request) -> Response:
    """GET /network-device/count."""
    return ok(len(_filtered(request)))


async def get_device(request: Request) -> Response:
    """GET /network-device/{id}."""
    state = state_of(request)
    return ok(_view(state, _device_or_404(state, request.path_params["id"])))


async def get_config(request: Request) -> Response:
    """GET /network-device/{id}/config: the archived running-config, secrets and all."""
    state = state_of(request)
    return ok(state.config(_device_or_404(state, request.path_params["id"])))


async def get_interfaces(request: Request) -> Response:
    """GET /interface/network-device/{deviceId}."""
    state = state_of(request)
    device = _device_or_404(state, request.path_params["deviceId"])
    stamp = time.strftime("%Y-%m-%d %H:%M:%S.00", time.gmtime())
    ports = ports_for(device, state.is_reachable(device))
    return ok([interface_view(device, p, i, stamp) for i, p in enumerate(ports)])


def _sites(request: Request, name_key: str) -> list[Any]:
    nodes = site_nodes()
    name = request.query_params.get(name_key)
    kind = request.query_params.get("type")
    site_id = request.query_params.get("siteId") or request.query_params.get("id")
    if name:
        nodes = [n for n in nodes if name.lower() in (n.name.lower(), n.name_hierarchy.lower())]
    if kind:
        nodes = [n for n in nodes if n.kind == kind.lower()]
    if site_id:
        nodes = [n for n in nodes if n.id == site_id]
        if not nodes:
            raise ApiError(404, "Site not found", f"No site with id {site_id}")
    return _page(request, nodes, 500, 500)


async def list_sites_v1(request: Request) -> Response:
    """GET /site (older API): siteHierarchy is ids, siteNameHierarchy is names."""
    return ok([site_v1_view(n) for n in _sites(request, "name")])


async def list_sites(request: Request) -> Response:
    """GET /sites (2.3.7+): nameHierarchy and type."""
    key = "nameHierarchy" if "nameHierarchy" in request.query_params else "name"
    return ok([site_view(n) for n in _sites(request, key)])


def _active_issue_counts(state: CatalystCenterState) -> dict[str, int]:
    counts: dict[str, int] = {}
    for issue in assurance.issues(_reachability(state), int(state.started * 1000)):
        if issue["status"] == "active":
            counts[issue["deviceId"]] = counts.get(issue["deviceId"], 0) + 1
    return counts


def _reachability(state: CatalystCenterState) -> dict[str, bool]:
    return {d.id: state.is_reachable(d) for d in DEVICES}


def _healths(state: CatalystCenterState) -> list[dict[str, Any]]:
    counts = _active_issue_counts(state)
    return [
        assurance.device_health(
            d, reachable=state.is_reachable(d), active_issues=counts.get(d.id, 0)
        )
        for d in DEVICES
    ]


def _in_site(site_id: str, device_site: str) -> bool:
    node = next((n for n in site_nodes() if n.id == device_site), None)
    return node is not None and site_id in node.id_hierarchy.split("/")


async def device_health(request: Request) -> Response:
    """GET /device-health: deviceRole, siteId (a site or any ancestor), health POOR|FAIR|GOOD."""
    rows = _healths(state_of(request))
    role = request.query_params.get("deviceRole")
    site_id = request.query_params.get("siteId")
    health = request.query_params.get("health")
    if role:
        rows = [r for r in rows if r["deviceRole"] == role.upper()]
    if site_id:
        rows = [r for r in rows if _in_site(site_id, r["siteId"])]
    if health:
        rows = [r for r in rows if assurance.health_class(r["overallHealth"]) == health.upper()]
    page = _page(request, rows, 50, 1000)
    return JSONResponse({"version": API_VERSION, "totalCount": len(rows), "response": page})


async def network_health(request: Request) -> Response:
    """GET /network-health: the latest overall score and per-category counts."""
    state = state_of(request)
    return JSONResponse(assurance.network_health(_healths(state), state.now_ms()))


async def list_issues(request: Request) -> Response:
    """GET /issues: priority, issueStatus (alias status), deviceId, siteId filters."""
    state = state_of(request)
    rows = assurance.issues(_reachability(state), int(state.started * 1000))
    q = request.query_params
    filters = {"priority": q.get("priority"), "status": q.get("issueStatus") or q.get("status"),
               "deviceId": q.get("deviceId"), "siteId": q.get("siteId")}  # fmt: skip
    for field, wanted in filters.items():
        if wanted:
            accepted = {w.strip().lower() for w in wanted.split(",")}
            rows = [r for r in rows if str(r[field]).lower() in accepted]
    return JSONResponse({"version": API_VERSION, "totalCount": len(rows), "response": rows})


def inventory_routes() -> list[Route]:
    """The read-only routes (order matters: `/count` before `/{id}`)."""
    return [
        Route(f"{_V1}/network-device", list_devices),
        Route(f"{_V1}/network-device/count", count_devices),
        Route(f"{_V1}/network-device/{{id}}", get_device),
        Route(f"{_V1}/network-device/{{id}}/config", get_config),
        Route(f"{_V1}/interface/network-device/{{deviceId}}", get_interfaces),
        Route(f"{_V1}/site", list_sites_v1),
        Route(f"{_V1}/sites", list_sites),
        Route(f"{_V1}/device-health", device_health),
        Route(f"{_V1}/network-health", network_health),
        Route(f"{_V1}/issues", list_issues),
    ]
