"""GitHub's own test control under `/sandbox`: the state of a primary rate limit.

The shared controls (faults, stats, reset) come from `simulator_kit.admin`; like them,
this takes no credentials and exists only when the app is built with `admin=True`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import Context, read_object
from .errors import GitHubError

__all__ = ["admin_routes"]


def admin_routes(ctx: Context) -> list[Route]:
    """GitHub's own `/sandbox` routes."""

    async def rate_limit(request: Request) -> Response:
        """{resource: core|search, remaining: int, reset_in: seconds}: shape a primary limit."""
        body = await read_object(request)
        remaining, reset_in = body.get("remaining", 0), body.get("reset_in", 3600)
        numbers_ok = all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
            for v in (remaining, reset_in)
        )
        if not numbers_ok:
            raise GitHubError(400, "remaining and reset_in must be non-negative numbers")
        try:
            bucket = ctx.limits.named(str(body.get("resource", "core")))
        except ValueError as exc:
            raise GitHubError(400, str(exc)) from None
        now = ctx.limits.clock()
        bucket.exhaust(now, int(remaining), float(reset_in))
        return JSONResponse(bucket.view(now))

    return [Route("/sandbox/ratelimit", rate_limit, methods=["POST"])]
