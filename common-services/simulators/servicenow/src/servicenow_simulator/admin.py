"""ServiceNow's own test controls under `/sandbox`: a person's CAB decision on a change.

The shared controls (faults, stats, reset, token expiry) come from `simulator_kit.admin`;
like them, these take no credentials and exist only when the app is built with `admin=True`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from servicenow_simulator import changes
from servicenow_simulator.context import Context, read_object
from servicenow_simulator.errors import SNError, bad_request
from servicenow_simulator.render import change_record

__all__ = ["admin_routes"]


def admin_routes(ctx: Context) -> list[Route]:
    """The CAB decision routes of one instance."""

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
        Route("/sandbox/changes/{change}/approve", approve, methods=["POST"]),
        Route("/sandbox/changes/{change}/reject", reject, methods=["POST"]),
    ]
