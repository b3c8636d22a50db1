"""The RADKit simulator: the app factory and its bearer-token check."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from simulator_kit import simulator_app

from .admin import admin_routes
from .api import LOGIN_PATH, api_routes
from .responses import CHALLENGE, RadkitErrors, error_response
from .state import RadkitState

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_SERVICE_ID", "create_radkit_app"]

DEFAULT_SERVICE_ID = "sbx1-rdkt-0001"
DEFAULT_CLIENT_ID = "mcp-radkit@corp.example.net"


def _admit(state: RadkitState, scope: Scope) -> Response | None:
    """Every `/api/...` call but the login needs a live session token."""
    if scope["path"] == LOGIN_PATH:
        return None
    scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and state.tokens.valid(token.strip()):
        return None
    message = "session token is missing, invalid or expired: log in again"
    return error_response(401, message, headers=CHALLENGE)


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
        controls=state.controls(),
        errors=RadkitErrors(),
        admit=lambda scope: _admit(state, scope),
        covers=lambda path: path.startswith("/api/"),
        admin=admin,
        admin_extra=admin_routes(),
    )
    app.state.radkit = state
    return app
