"""The Catalyst Center's own test controls under `/sandbox`: task faults, deployments, devices.

The shared controls (faults, stats, reset, token expiry) come from `simulator_kit.admin`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulator_kit import ControlError, control_body, control_count

from .api_inventory import state_of
from .responses import ApiError, read_json

__all__ = ["admin_routes"]


async def fail_next(request: Request) -> Response:
    """POST /sandbox/tasks/fail-next {failureReason?, count?}: next task(s) end in error."""
    body = await control_body(request)
    reason = body.get("failureReason", "Simulated task failure")
    if not isinstance(reason, str) or not reason:
        raise ControlError("'failureReason' must be a non-empty string")
    state = state_of(request)
    with state.locked():
        state.fail_next.extend([reason] * control_count(body))
        return JSONResponse({"fail_next": list(state.fail_next)})


async def hang_next(request: Request) -> Response:
    """POST /sandbox/tasks/hang-next {count?}: next task(s) never complete."""
    count = control_count(await control_body(request))
    state = state_of(request)
    with state.locked():
        state.hang_next += count
        return JSONResponse({"hang_next": state.hang_next})


async def deployed(request: Request) -> Response:
    """GET /sandbox/deployed: per device, the template versions deployed and their history."""
    return JSONResponse(state_of(request).deployed_view())


async def set_reachability(request: Request) -> Response:
    """POST /sandbox/devices/{id}/reachability {reachable: bool}."""
    state = state_of(request)
    device = state.device(request.path_params["id"])
    if device is None:
        raise ApiError(404, "Network device not found")
    reachable = (await read_json(request)).get("reachable")
    if not isinstance(reachable, bool):
        raise ApiError(400, "'reachable' must be a boolean")
    with state.locked():
        state.reachability[device.id] = reachable
    return JSONResponse({"id": device.id, "hostname": device.hostname, "reachable": reachable})


def admin_routes() -> list[Route]:
    """The Catalyst Center's own `/sandbox/...` routes (mounted only with admin=True)."""
    return [
        Route("/sandbox/tasks/fail-next", fail_next, methods=["POST"]),
        Route("/sandbox/tasks/hang-next", hang_next, methods=["POST"]),
        Route("/sandbox/deployed", deployed, methods=["GET"]),
        Route("/sandbox/devices/{id}/reachability", set_reachability, methods=["POST"]),
    ]
