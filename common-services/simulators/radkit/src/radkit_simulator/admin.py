"""Test-only routes under `/sandbox`: faults, stats, reset, token expiry, hanging requests."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mcp_sandbox.catalyst_center.faults import parse_fault

from .api import state_of
from .responses import RadkitError, read_json

__all__ = ["admin_routes"]


async def add_fault(request: Request) -> Response:
    """POST /sandbox/faults {path_prefix, status?, count?, retry_after?, delay?, method?}."""
    fault = parse_fault(await read_json(request))
    return JSONResponse({"faults": state_of(request).add_fault(fault)}, 201)


async def stats(request: Request) -> Response:
    """GET /sandbox/stats: requests per path, logins, faults served, commands run."""
    return JSONResponse(state_of(request).stats())


async def reset(request: Request) -> Response:
    """POST /sandbox/reset: back to the initial state."""
    state_of(request).reset()
    return JSONResponse({"reset": True})


async def expire_tokens(request: Request) -> Response:
    """POST /sandbox/tokens/expire: every issued token is invalid from now on."""
    return JSONResponse({"expired": state_of(request).expire_tokens()})


async def hang_next(request: Request) -> Response:
    """POST /sandbox/requests/hang-next {count?}: the next exec request(s) never complete."""
    body = await read_json(request) if await request.body() else {}
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise RadkitError(400, "'count' must be an integer >= 1")
    return JSONResponse({"hang_next": state_of(request).hang(count)})


def admin_routes() -> list[Route]:
    """Every `/sandbox` route."""
    return [
        Route("/sandbox/faults", add_fault, methods=["POST"]),
        Route("/sandbox/stats", stats, methods=["GET"]),
        Route("/sandbox/reset", reset, methods=["POST"]),
        Route("/sandbox/tokens/expire", expire_tokens, methods=["POST"]),
        Route("/sandbox/requests/hang-next", hang_next, methods=["POST"]),
    ]
