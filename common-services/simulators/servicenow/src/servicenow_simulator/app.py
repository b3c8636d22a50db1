"""The ServiceNow instance simulator as a Starlette app: Table API, sn_chg_rest, OAuth, admin."""

from __future__ import annotations

import re
from http import HTTPStatus
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from servicenow_simulator.admin import admin_routes
from servicenow_simulator.auth import Credentials, TokenIssuer
from servicenow_simulator.change_api import change_routes
from servicenow_simulator.context import Context, error_response
from servicenow_simulator.errors import SNError
from servicenow_simulator.state import Instance
from servicenow_simulator.table_api import table_routes
from simulator_kit import Controls, Fault, Faults, RequestStats, simulator_app

__all__ = ["create_servicenow_app"]

_SYS_ID_SEGMENT = re.compile(r"/[0-9a-f]{32}(?=/|$)")


def route_of(path: str) -> str:
    """The path with sys_ids replaced by `{sys_id}`: how the stats count requests."""
    return _SYS_ID_SEGMENT.sub("/{sys_id}", path)


def create_servicenow_app(
    *,
    username: str = "integration",
    password: str,
    client_id: str = "mcp-platform",
    client_secret: str | None = None,
    token_ttl: int = 1800,
    admin: bool = True,
    invalid_query_returns_no_rows: bool = False,
) -> Starlette:
    """Build one simulated instance, seeded from the shared sandbox inventory.

    `client_secret=None` disables OAuth (every token request is denied). `admin=False`
    removes the `/sandbox/*` control routes. `invalid_query_returns_no_rows` mirrors the
    instance property of that name (default false: unknown fields in a query are ignored).
    """
    issuer = TokenIssuer(
        Credentials(username, password, client_id, client_secret), token_ttl=token_ttl
    )
    ctx = Context(
        Instance(invalid_query_returns_no_rows=invalid_query_returns_no_rows),
        issuer,
        Faults(),
        RequestStats(route_of),
    )
    ctx.reset()

    async def oauth_token(request: Request) -> Response:
        # Parsed by hand: form parsing in Starlette needs python-multipart, not a dependency.
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        status, body = issuer.token(form)
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    routes = [
        Route("/oauth_token.do", oauth_token, methods=["POST"]),
        *table_routes(ctx),
        *change_routes(ctx),
    ]
    controls = Controls(
        faults=ctx.faults,
        stats=ctx.stats,
        reset=ctx.reset,
        error=_control_error,
        expire_tokens=issuer.expire_all,
    )
    app = simulator_app(
        routes,
        controls=controls,
        fault_response=_fault_response,
        admin=admin,
        admin_extra=admin_routes(ctx),
        exception_handlers={
            SNError: _sn_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    app.state.servicenow = ctx  # in-process access for callers that embed the simulator
    return app


def _fault_response(fault: Fault, path: str) -> Response:
    status = fault.status or 500
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    detail = "Rate limit exceeded" if status == 429 else "Injected by the sandbox"
    # The real instance always says when to retry a 429.
    headers = fault.headers() or ({"Retry-After": "1"} if status == 429 else {})
    return error_response(SNError(status, phrase, detail, headers=headers))


def _control_error(status: int, message: str, detail: str) -> Response:
    return error_response(SNError(status, message, detail or None))


async def _sn_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SNError)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(SNError(400, "Requested URI does not represent any resource"))
    if exc.status_code == 405:
        return error_response(SNError(405, "Method not Supported", str(request.method)))
    return error_response(SNError(exc.status_code, str(exc.detail)))


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Never a stack trace in the response; uvicorn logs the exception.
    return error_response(SNError(500, "Internal Server Error"))
