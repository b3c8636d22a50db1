"""The RADKit simulator: app factory and command-line entry point."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from mcp_sandbox.catalyst_center.responses import ApiError

from .admin import admin_routes
from .api import api_routes
from .gate import Gate
from .responses import RadkitError, error_response
from .state import RadkitState

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_SERVICE_ID", "create_radkit_app", "main"]

DEFAULT_SERVICE_ID = "sbx1-rdkt-0001"
DEFAULT_CLIENT_ID = "mcp-radkit@corp.example.net"
SECRET_ENV = "RADKIT_SANDBOX_CLIENT_SECRET"


async def _radkit_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RadkitError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return error_response(exc.status, exc.message, exc.code, headers=headers, **exc.extra)


async def _api_error(request: Request, exc: Exception) -> Response:
    # Fault definitions are parsed by the Catalyst Center simulator's validator.
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message)


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
    state = RadkitState(
        service_id=service_id,
        client_id=client_id,
        client_secret=client_secret,
        token_ttl=token_ttl,
        exec_polls=exec_polls,
    )
    routes = api_routes() + (admin_routes() if admin else [])
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Gate, state=state)],
        exception_handlers={
            RadkitError: _radkit_error,
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
    )
    app.state.radkit = state
    return app


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m mcp_sandbox.radkit --port 9104` (secret in $RADKIT_SANDBOX_CLIENT_SECRET)."""
    parser = argparse.ArgumentParser(description="Cisco RADKit Service + relay simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9104)
    parser.add_argument("--service-id", default=DEFAULT_SERVICE_ID)
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument(
        "--client-secret", default=os.environ.get(SECRET_ENV), help=f"defaults to ${SECRET_ENV}"
    )
    parser.add_argument("--token-ttl", type=float, default=3600.0)
    parser.add_argument("--exec-polls", type=int, default=2)
    parser.add_argument("--no-admin", action="store_true", help="omit the /sandbox routes")
    args = parser.parse_args(argv)
    if not args.client_secret:
        parser.error(f"--client-secret (or ${SECRET_ENV}) is required")
    app = create_radkit_app(
        service_id=args.service_id,
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_ttl=args.token_ttl,
        exec_polls=args.exec_polls,
        admin=not args.no_admin,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
