"""Sandbox control routes (`/sandbox/*`): faults, token expiry, reset, stats, CAB decisions.

They stand for the people and operators around the instance, so they take no credentials;
they exist only when the app is built with `admin=True`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mcp_sandbox.servicenow import changes
from mcp_sandbox.servicenow.context import Context, read_object
from mcp_sandbox.servicenow.errors import SNError, bad_request
from mcp_sandbox.servicenow.faults import Fault
from mcp_sandbox.servicenow.render import change_record

__all__ = ["admin_routes"]


def admin_routes(ctx: Context) -> list[Route]:
    """The admin routes of one instance."""

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def add_fault(request: Request) -> Response:
        body = await read_object(request)
        try:
            fault = Fault.from_json(body)
        except ValueError as exc:
            raise bad_request("Invalid fault", str(exc)) from None
        ctx.faults.add(fault)
        return JSONResponse({"fault": fault.as_dict()}, status_code=201)

    async def clear_faults(request: Request) -> Response:
        return JSONResponse({"cleared": ctx.faults.clear()})

    async def expire_tokens(request: Request) -> Response:
        return JSONResponse({"expired": ctx.issuer.expire_all()})

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

    async def decide(request: Request, approve: bool) -> Response:
        ref = request.path_params["change"]
        instance = ctx.instance
        change = instance.get("change_request", ref) or instance.find(
            "change_request", "number", ref
        )
        if change is None:
            raise SNError(404, "No Record found", f"No change request '{ref}'")
        body = await read_object(request, required=False)
        approver, comments = body.get("approver"), body.get("comments", "")
        if approver is not None and not isinstance(approver, str):
            raise bad_request("Invalid approver", "approver must be a user_name or sys_id")
        if not isinstance(comments, str):
            raise bad_request("Invalid comments", "comments must be a string")
        changes.decide(instance, change, approve=approve, approver=approver, comments=comments)
        return JSONResponse({"result": change_record(instance, change)})

    async def approve(request: Request) -> Response:
        return await decide(request, True)

    async def reject(request: Request) -> Response:
        return await decide(request, False)

    return [
        Route("/sandbox/health", health, methods=["GET"]),
        Route("/sandbox/faults", add_fault, methods=["POST"]),
        Route("/sandbox/faults/clear", clear_faults, methods=["POST"]),
        Route("/sandbox/tokens/expire", expire_tokens, methods=["POST"]),
        Route("/sandbox/reset", reset, methods=["POST"]),
        Route("/sandbox/stats", stats, methods=["GET"]),
        Route("/sandbox/stats/clear", clear_stats, methods=["POST"]),
        Route("/sandbox/changes/{change}/approve", approve, methods=["POST"]),
        Route("/sandbox/changes/{change}/reject", reject, methods=["POST"]),
    ]
