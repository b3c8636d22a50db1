"""Sandbox control routes (`/sandbox/*`): faults, reset, stats and rate-limit state.

They stand for the operators around the service, so they take no credentials; they exist
only when the app is built with `admin=True`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mcp_sandbox.servicenow.faults import Fault

from .context import Context, read_object
from .errors import GitHubError

__all__ = ["admin_routes"]


def admin_routes(ctx: Context) -> list[Route]:
    """The admin routes of one simulated GitHub."""

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def add_fault(request: Request) -> Response:
        """{path_prefix, status?, count? (null: until cleared), retry_after?, delay?, method?}."""
        try:
            fault = Fault.from_json(await read_object(request))
        except ValueError as exc:
            raise GitHubError(400, f"Invalid fault: {exc}") from None
        ctx.faults.add(fault)
        return JSONResponse({"fault": fault.as_dict()}, status_code=201)

    async def clear_faults(request: Request) -> Response:
        return JSONResponse({"cleared": ctx.faults.clear()})

    async def reset(request: Request) -> Response:
        ctx.reset()
        return JSONResponse({"reset": True})

    async def stats(request: Request) -> Response:
        method = request.query_params.get("method")
        prefix = request.query_params.get("path_prefix", "")
        return JSONResponse(ctx.stats.snapshot(method, prefix))

    async def clear_stats(request: Request) -> Response:
        ctx.stats.clear()
        return JSONResponse({"cleared": True})

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

    return [
        Route("/sandbox/health", health, methods=["GET"]),
        Route("/sandbox/faults", add_fault, methods=["POST"]),
        Route("/sandbox/faults/clear", clear_faults, methods=["POST"]),
        Route("/sandbox/reset", reset, methods=["POST"]),
        Route("/sandbox/stats", stats, methods=["GET"]),
        Route("/sandbox/stats/clear", clear_stats, methods=["POST"]),
        Route("/sandbox/ratelimit", rate_limit, methods=["POST"]),
    ]
