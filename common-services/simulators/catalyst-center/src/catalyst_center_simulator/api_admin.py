"""Test-only admin routes under `/sandbox`: faults, token expiry, reset, stats, device state."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .api_inventory import state_of
from .faults import parse_fault
from .responses import ApiError, read_json

__all__ = ["admin_routes"]


async def _optional_body(request: Request) -> dict[str, Any]:
    return await read_json(request) if await request.body() else {}


def _count(body: dict[str, Any]) -> int:
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ApiError(400, "'count' must be an integer >= 1")
    return count


async def add_fault(request: Request) -> Response:
    """POST /sandbox/faults {path_prefix, status?, count?, retry_after?, delay?, method?}."""
    fault = parse_fault(await read_json(request))
    state = state_of(request)
    with state.locked():
        state.faults.append(fault)
        return JSONResponse({"faults": [f.public() for f in state.faults]}, 201)


async def list_faults(request: Request) -> Response:
    """GET /sandbox/faults: pending faults and task faults."""
    state = state_of(request)
    with state.locked():
        faults = [f.public() for f in state.faults]
        body = {"faults": faults, "fail_next": list(state.fail_next), "hang_next": state.hang_next}
    return JSONResponse(body)


async def clear_faults(request: Request) -> Response:
    """POST /sandbox/faults/clear: drop request faults and pending task faults."""
    state = state_of(request)
    with state.locked():
        state.faults.clear()
        state.fail_next.clear()
        state.hang_next = 0
    return JSONResponse({"cleared": True})


async def fail_next(request: Request) -> Response:
    """POST /sandbox/tasks/fail-next {failureReason?, count?}: next task(s) end in error."""
    body = await _optional_body(request)
    reason = body.get("failureReason", "Simulated task failure")
    if not isinstance(reason, str) or not reason:
        raise ApiError(400, "'failureReason' must be a non-empty string")
    state = state_of(request)
    with state.locked():
        state.fail_next.extend([reason] * _count(body))
        return JSONResponse({"fail_next": list(state.fail_next)})


async def hang_next(request: Request) -> Response:
    """POST /sandbox/tasks/hang-next {count?}: next task(s) never complete."""
    count = _count(await _optional_body(request))
    state = state_of(request)
    with state.locked():
        state.hang_next += count
        return JSONResponse({"hang_next": state.hang_next})


async def expire_tokens(request: Request) -> Response:
    """POST /sandbox/tokens/expire: every issued token is invalid from now on."""
    return JSONResponse({"expired": state_of(request).expire_tokens()})


async def reset(request: Request) -> Response:
    """POST /sandbox/reset: back to the initial state."""
    state_of(request).reset()
    return JSONResponse({"reset": True})


async def stats(request: Request) -> Response:
    """GET /sandbox/stats: request counts per path, logins, faults served, CLI commands."""
    return JSONResponse(state_of(request).stats())


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
    """The `/sandbox/...` routes (mounted only when the app is built with admin=True)."""
    return [
        Route("/sandbox/faults", add_fault, methods=["POST"]),
        Route("/sandbox/faults", list_faults, methods=["GET"]),
        Route("/sandbox/faults/clear", clear_faults, methods=["POST"]),
        Route("/sandbox/tasks/fail-next", fail_next, methods=["POST"]),
        Route("/sandbox/tasks/hang-next", hang_next, methods=["POST"]),
        Route("/sandbox/tokens/expire", expire_tokens, methods=["POST"]),
        Route("/sandbox/reset", reset, methods=["POST"]),
        Route("/sandbox/stats", stats, methods=["GET"]),
        Route("/sandbox/deployed", deployed, methods=["GET"]),
        Route("/sandbox/devices/{id}/reachability", set_reachability, methods=["POST"]),
    ]
