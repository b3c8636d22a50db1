"""The `/api/...` routes: login, service status, inventory, exec requests and their polling."""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .devices import device_view
from .responses import RadkitError, read_json
from .state import RadkitState

__all__ = ["LOGIN_PATH", "MAX_COMMANDS", "MAX_DEVICES", "api_routes", "state_of"]

LOGIN_PATH = "/api/login"
MAX_DEVICES, MAX_COMMANDS, MAX_TIMEOUT = 100, 50, 3600.0


def state_of(request: Request) -> RadkitState:
    """The app's state."""
    state: RadkitState = request.app.state.radkit
    return state


def _service(request: Request) -> RadkitState:
    state = state_of(request)
    if request.path_params["service_id"] != state.service_id:
        raise RadkitError(404, "no such service behind this relay", "SERVICE_NOT_FOUND")
    return state


async def login(request: Request) -> Response:
    """POST /api/login {service_id, client_id, client_secret} -> a bearer token."""
    body = await read_json(request)
    fields = [body.get(k) for k in ("service_id", "client_id", "client_secret")]
    if not all(isinstance(f, str) and f for f in fields):
        raise RadkitError(400, "service_id, client_id and client_secret are required strings")
    state = state_of(request)
    status = state.authenticate(*(str(f) for f in fields))
    if status == 401:
        raise RadkitError(401, "client authentication failed", "AUTHENTICATION_FAILED")
    if status == 404:
        raise RadkitError(404, "no such service behind this relay", "SERVICE_NOT_FOUND")
    return JSONResponse(
        {
            "token": state.tokens.issue(),
            "token_type": "Bearer",
            "expires_in": int(state.tokens.ttl),
            "service_id": state.service_id,
        }
    )


async def service_status(request: Request) -> Response:
    """GET /api/services/{id}: the service is up (what `service.ping()` checks)."""
    state = _service(request)
    return JSONResponse(
        {
            "service_id": state.service_id,
            "status": "READY",
            "version": state.version,
            "e2ee_active": True,
            "inventory_size": len(state.devices),
        }
    )


async def inventory(request: Request) -> Response:
    """GET /api/services/{id}/inventory: every device."""
    state = _service(request)
    devices = [device_view(d) for d in state.devices.values()]
    return JSONResponse({"service_id": state.service_id, "devices": devices})


async def one_device(request: Request) -> Response:
    """GET /api/services/{id}/inventory/{name}: one device or 404."""
    state = _service(request)
    device = state.devices.get(request.path_params["name"])
    if device is None:
        raise RadkitError(404, "no device of that name in the inventory", "DEVICE_NOT_FOUND")
    return JSONResponse(device_view(device))


def _strings(body: dict[str, Any], name: str, limit: int) -> list[str]:
    value = body.get(name)
    if not isinstance(value, list) or not value or len(value) > limit:
        raise RadkitError(400, f"'{name}' must be a list of 1 to {limit} strings")
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise RadkitError(400, f"'{name}' must contain only non-empty strings")
    return value


async def exec_request(request: Request) -> Response:
    """POST /api/services/{id}/exec {devices, commands, timeout?} -> 202 {request_id}."""
    state = _service(request)
    body = await read_json(request)
    names = _strings(body, "devices", MAX_DEVICES)
    commands = _strings(body, "commands", MAX_COMMANDS)
    timeout = body.get("timeout", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise RadkitError(400, "'timeout' must be a number of seconds")
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise RadkitError(400, f"'timeout' must be in (0, {MAX_TIMEOUT:g}] seconds")
    unknown = sorted({n for n in names if n not in state.devices})
    if unknown:
        raise RadkitError(
            404,
            "devices not in the inventory: " + ", ".join(unknown),
            "DEVICE_NOT_FOUND",
            unknown_devices=unknown,
        )
    job = state.start_exec(list(dict.fromkeys(names)), commands, float(timeout))
    return JSONResponse({"request_id": job.id, "status": "PROCESSING"}, 202)


async def get_request(request: Request) -> Response:
    """GET /api/requests/{id}: where the request stands (each GET is one poll)."""
    view = state_of(request).poll(request.path_params["request_id"])
    if view is None:
        raise RadkitError(404, "no such request", "REQUEST_NOT_FOUND")
    return JSONResponse(view)


def api_routes() -> list[Route]:
    """Every `/api` route."""
    base = "/api/services/{service_id}"
    return [
        Route(LOGIN_PATH, login, methods=["POST"]),
        Route(base, service_status, methods=["GET"]),
        Route(f"{base}/inventory", inventory, methods=["GET"]),
        Route(f"{base}/inventory/{{name}}", one_device, methods=["GET"]),
        Route(f"{base}/exec", exec_request, methods=["POST"]),
        Route("/api/requests/{request_id}", get_request, methods=["GET"]),
    ]
