"""The ServiceNow instance simulator as a Starlette app: Table API, sn_chg_rest, OAuth, admin."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mcp_sandbox.servicenow.admin import admin_routes
from mcp_sandbox.servicenow.auth import Credentials, TokenIssuer
from mcp_sandbox.servicenow.change_api import change_routes
from mcp_sandbox.servicenow.context import Context, error_response
from mcp_sandbox.servicenow.errors import SNError
from mcp_sandbox.servicenow.faults import FaultMiddleware, Faults, Stats
from mcp_sandbox.servicenow.state import Instance
from mcp_sandbox.servicenow.table_api import table_routes

__all__ = ["create_servicenow_app"]


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
        Stats(),
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
        *(admin_routes(ctx) if admin else []),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, faults=ctx.faults, stats=ctx.stats)],
        exception_handlers={
            SNError: _sn_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    app.state.servicenow = ctx  # in-process access for callers that embed the simulator
    return app


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
