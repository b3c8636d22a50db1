"""The Catalyst Center Intent API simulator: app factory and command-line entry point."""

from __future__ import annotations

import argparse
import base64
import binascii
import os
from collections.abc import Sequence

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .api_admin import admin_routes
from .api_automation import automation_routes
from .api_inventory import inventory_routes, state_of
from .gate import AUTH_PATH, Gate
from .responses import ApiError, api_error
from .state import CatalystCenterState

__all__ = ["create_catalyst_center_app", "main"]

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
    return JSONResponse({"Token": state.issue_token()})


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return api_error(exc.status, exc.message, exc.detail, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "The requested resource was not found", 405: "Method not allowed"}
    message = messages.get(exc.status_code, str(exc.detail))
    return api_error(exc.status_code, message, f"{request.method} {request.url.path}")


async def _server_error(request: Request, exc: Exception) -> Response:
    # Never a stack trace in the body; uvicorn logs the exception.
    return api_error(500, "Internal server error", "An unexpected error occurred")


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
    routes = [
        Route(AUTH_PATH, login, methods=["POST"]),
        Route("/api/system/v1/auth/token", login, methods=["POST"]),  # pre-2.x alias
        *inventory_routes(),
        *automation_routes(),
    ]
    if admin:
        routes += admin_routes()
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Gate, state=state)],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
    )
    app.state.cc = state
    return app


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m mcp_sandbox.catalyst_center --port 9443 --password ...`."""
    parser = argparse.ArgumentParser(description="Cisco Catalyst Center Intent API simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9443)
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default=os.environ.get("CATALYST_CENTER_PASSWORD"),
                        help="defaults to $CATALYST_CENTER_PASSWORD")  # fmt: skip
    parser.add_argument("--token-ttl", type=float, default=3600.0)
    parser.add_argument("--task-polls", type=int, default=2)
    parser.add_argument("--no-admin", action="store_true", help="omit the /sandbox routes")
    args = parser.parse_args(argv)
    if not args.password:
        parser.error("--password (or $CATALYST_CENTER_PASSWORD) is required")
    app = create_catalyst_center_app(username=args.username, password=args.password,
                                     token_ttl=args.token_ttl, task_polls=args.task_polls,
                                     admin=not args.no_admin)  # fmt: skip
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
