"""The Catalyst Center Intent API simulator: the app factory, its login and its token check."""

from __future__ import annotations

import base64
import binascii

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from simulator_kit import simulator_app

from .api_admin import admin_routes
from .api_automation import automation_routes
from .api_inventory import inventory_routes, state_of
from .responses import CatalystCenterErrors, auth_error
from .state import CatalystCenterState

__all__ = ["AUTH_PATH", "create_catalyst_center_app"]

AUTH_PATH = "/dna/system/api/v1/auth/token"
_AUTH_FAILED = "Authentication has failed. Please provide valid credentials."


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


async def login(request: Request) -> Response:
    """POST /dna/system/api/v1/auth/token with HTTP Basic -> {"Token": "..."}."""
    credentials = _basic_credentials(request.headers.get("authorization"))
    state = state_of(request)
    if credentials is None or not state.check_credentials(*credentials):
        return JSONResponse({"error": _AUTH_FAILED}, 401)
    return JSONResponse({"Token": state.tokens.issue()})


def _admit(state: CatalystCenterState, scope: Scope) -> Response | None:
    """Every `/dna/...` call but the login needs a live X-Auth-Token."""
    path = scope["path"]
    if not path.startswith("/dna/") or path == AUTH_PATH:
        return None
    token = Headers(scope=scope).get("x-auth-token")
    if state.tokens.valid(token):
        return None
    return auth_error("Token is missing, invalid or expired" if token else "Missing token")


def create_catalyst_center_app(
    *,
    username: str = "admin",
    password: str,
    token_ttl: float = 3600,
    task_polls: int = 2,
    admin: bool = True,
) -> Starlette:
    """A Catalyst Center simulator; `admin` adds the `/sandbox/...` test controls."""
    state = CatalystCenterState(username=username, password=password, token_ttl=token_ttl,
                                task_polls=task_polls)  # fmt: skip
    controls = state.controls(clear_faults=state.clear_task_faults, faults_view=state.task_faults)
    routes = [
        Route(AUTH_PATH, login, methods=["POST"]),
        Route("/api/system/v1/auth/token", login, methods=["POST"]),  # pre-2.x alias
        *inventory_routes(),
        *automation_routes(),
    ]
    app = simulator_app(
        routes,
        controls=controls,
        errors=CatalystCenterErrors(),
        admit=lambda scope: _admit(state, scope),
        admin=admin,
        admin_extra=admin_routes(),
    )
    app.state.cc = state
    return app
