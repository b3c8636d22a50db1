"""Change Management API routes (`/api/sn_chg_rest[/v1]/change/...`), value/display pairs."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from servicenow_simulator import records
from servicenow_simulator.context import Context, read_object, respond
from servicenow_simulator.errors import bad_request, not_found
from servicenow_simulator.render import change_record
from servicenow_simulator.state import Row

__all__ = ["change_routes"]

_CONTROL = frozenset({"sysparm_query", "sysparm_limit", "sysparm_offset", "api"})


async def _fields(request: Request) -> dict[str, Any]:
    """Fields from the URL and the body; the body wins, as the real endpoint documents."""
    query = {k: v for k, v in request.query_params.items() if k not in _CONTROL}
    return {**query, **await read_object(request, required=False)}


def change_routes(ctx: Context) -> list[Route]:
    """The sn_chg_rest routes of one instance (default and v1 URLs)."""

    def change_of(request: Request, kind: str | None) -> Row:
        row = ctx.instance.get("change_request", request.path_params["sys_id"])
        if row is None or (kind is not None and row["type"] != kind):
            raise not_found()
        return row

    async def create_normal(request: Request) -> Response:
        user = ctx.authenticate(request)
        payload = await _fields(request)
        ignored = [k for k in ("type", "chg_model") if k in payload]
        payload = {k: v for k, v in payload.items() if k not in ignored}
        payload["type"] = "normal"
        row, more = records.create(ctx.instance, "change_request", payload, user=user)
        return respond(change_record(ctx.instance, row, ignored=ignored + more))

    async def list_normal(request: Request) -> Response:
        ctx.authenticate(request)
        query = request.query_params.get("sysparm_query", "")
        rows = [r for r in ctx.instance.select("change_request", query) if r["type"] == "normal"]
        try:
            limit = int(request.query_params.get("sysparm_limit", "500"))
            offset = int(request.query_params.get("sysparm_offset", "0"))
        except ValueError:
            raise bad_request("Invalid paging", "sysparm_limit/offset must be integers") from None
        page = [change_record(ctx.instance, row) for row in rows[offset : offset + max(limit, 1)]]
        return respond(page, headers={"X-Total-Count": str(len(rows))})

    async def get_normal(request: Request) -> Response:
        ctx.authenticate(request)
        return respond(change_record(ctx.instance, change_of(request, "normal")))

    async def get_any(request: Request) -> Response:
        ctx.authenticate(request)
        return respond(change_record(ctx.instance, change_of(request, None)))

    async def patch(request: Request, kind: str | None) -> Response:
        user = ctx.authenticate(request)
        row = change_of(request, kind)
        payload = await _fields(request)
        _, ignored = records.update(ctx.instance, "change_request", row, payload, user=user)
        return respond(change_record(ctx.instance, row, ignored=ignored))

    async def patch_normal(request: Request) -> Response:
        return await patch(request, "normal")

    async def patch_any(request: Request) -> Response:
        return await patch(request, None)

    routes: list[Route] = []
    for prefix in ("/api/sn_chg_rest/change", "/api/sn_chg_rest/v1/change"):
        routes += [
            Route(prefix + "/normal", create_normal, methods=["POST"]),
            Route(prefix + "/normal", list_normal, methods=["GET"]),
            Route(prefix + "/normal/{sys_id}", get_normal, methods=["GET"]),
            Route(prefix + "/normal/{sys_id}", patch_normal, methods=["PATCH"]),
            Route(prefix + "/{sys_id}", get_any, methods=["GET"]),
            Route(prefix + "/{sys_id}", patch_any, methods=["PATCH"]),
        ]
    return routes
