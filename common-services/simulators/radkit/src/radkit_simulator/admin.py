"""RADKit's own test control under `/sandbox`: exec requests that never complete.

The shared controls (faults, stats, reset, token expiry) come from `simulator_kit.admin`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulator_kit import control_body, control_count

from .api import state_of

__all__ = ["admin_routes"]


async def hang_next(request: Request) -> Response:
    """POST /sandbox/requests/hang-next {count?}: the next exec request(s) never complete."""
    count = control_count(await control_body(request))
    return JSONResponse({"hang_next": state_of(request).hang(count)})


def admin_routes() -> list[Route]:
    """RADKit's own `/sandbox` routes."""
    return [Route("/sandbox/requests/hang-next", hang_next, methods=["POST"])]
