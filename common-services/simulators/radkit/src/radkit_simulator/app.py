"""The RADKit simulator: the app factory and its bearer-token check."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from simulator_kit import Fault, simulator_app

from .admin import admin_routes
from .api import LOGIN_PATH, api_routes
from .responses import RadkitError, error_response
from .state import RadkitState

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_SERVICE_ID", "create_radkit_app"]

DEFAULT_SERVICE_ID = "sbx1-rdkt-0001"
DEFAULT_CLIENT_ID = "mcp-radkit@corp.example.net"
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _fault_response(fault: Fault, path: str) -> Response:
    status = fault.status or 500
    return error_response(status, f"simulated HTTP {status} for {path}", headers=fault.headers())


def _admit(state: RadkitState, scope: Scope) -> Response | None:
    """Every `/api/...` call but the login needs a live session token."""
    if scope["path"] == LOGIN_PATH:
        return None
    scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and state.tokens.valid(token.strip()):
        return None
    message = "session token is missing, invalid or expired: log in again"
    return error_response(401, message, headers=_CHALLENGE)


def _control_error(status: int, message: str, detail: str) -> Response:
    return error_response(status, f"{message}: {detail}" if detail else message)


async def _radkit_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RadkitError)
    headers = _CHALLENGE if exc.status == 401 else None
    return error_response(exc.status, exc.message, exc.code, headers=headers, **exc.extra)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "no such resource", 405: "method not allowed"}
    return error_response(exc.status_code, messages.get(exc.status_code, str(exc.detail)))


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500, "internal error")  # never a stack trace in the body


def create_radkit_app(
    *,
    service_id: str = DEFAULT_SERVICE_ID,
    client_id: str = DEFAULT_CLIENT_ID,
    client_secret: str,
    token_ttl: float = 3600.0,
    exec_polls: int = 2,
    admin: bool = True,
) -> Starlette:
    """A RADKit Service + relay simulator; `admin` adds the `/sandbox/...` test controls."""
    state = RadkitState(service_id=service_id, client_id=client_id, client_secret=client_secret,
                        token_ttl=token_ttl, exec_polls=exec_polls)  # fmt: skip
    app = simulator_app(
        api_routes(),
        controls=state.controls(_control_error),
        fault_response=_fault_response,
        admit=lambda scope: _admit(state, scope),
        covers=lambda path: path.startswith("/api/"),
        admin=admin,
        admin_extra=admin_routes(),
        exception_handlers={
            RadkitError: _radkit_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
    )
    app.state.radkit = state
    return app
