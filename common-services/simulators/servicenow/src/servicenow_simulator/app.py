"""The ServiceNow instance simulator as a Starlette app: Table API, sn_chg_rest, OAuth, admin."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from servicenow_simulator.admin import admin_routes
from servicenow_simulator.auth import Credentials, TokenIssuer
from servicenow_simulator.change_api import change_routes
from servicenow_simulator.context import Context
from servicenow_simulator.errors import ServiceNowErrors
from servicenow_simulator.state import Instance
from servicenow_simulator.table_api import table_routes
from simulator_kit import Controls, Faults, RequestStats, simulator_app

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
        expire_tokens=issuer.expire_all,
    )
    app = simulator_app(
        routes,
        controls=controls,
        errors=ServiceNowErrors(),
        admin=admin,
        admin_extra=admin_routes(ctx),
    )
    app.state.servicenow = ctx  # in-process access for callers that embed the simulator
    return app
