"""Table API routes: `/api/now/table/{table}` list, get, create, update, delete."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from servicenow_simulator import records
from servicenow_simulator.context import Context, flag, read_object, respond
from servicenow_simulator.errors import SNError, bad_request, not_found
from servicenow_simulator.render import DISPLAY_MODES, table_record
from servicenow_simulator.schema import TABLES
from servicenow_simulator.state import Row

__all__ = ["DEFAULT_LIMIT", "table_routes"]

DEFAULT_LIMIT = 10000  # the documented default of sysparm_limit


def _table(request: Request) -> str:
    table: str = request.path_params["table"]
    if table not in TABLES:
        raise SNError(400, f"Invalid table {table}")
    return table


def _int_param(request: Request, name: str, default: int, minimum: int) -> int:
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Invalid {name}", f"'{raw}' is not an integer") from None
    if value < minimum:
        raise bad_request(f"Invalid {name}", f"{name} must be at least {minimum}")
    return value


class _Shape:
    """How a request wants records rendered (sysparm_display_value, fields, links)."""

    def __init__(self, request: Request) -> None:
        mode = request.query_params.get("sysparm_display_value", "false").lower()
        self.display = mode if mode in DISPLAY_MODES else "false"
        fields = request.query_params.get("sysparm_fields", "")
        self.fields = [f.strip() for f in fields.split(",") if f.strip()] or None
        self.exclude_links = flag(request, "sysparm_exclude_reference_link")
        self.base_url = str(request.base_url).rstrip("/")

    def render(self, ctx: Context, table: str, row: Row) -> dict[str, object]:
        return table_record(
            ctx.instance, table, row, display=self.display, fields=self.fields,
            exclude_links=self.exclude_links, base_url=self.base_url,
        )  # fmt: skip


def _links(request: Request, offset: int, limit: int, total: int) -> str:
    def link(at: int, rel: str) -> str:
        url = request.url.include_query_params(sysparm_offset=at, sysparm_limit=limit)
        return f'<{url}>;rel="{rel}"'

    parts = [link(0, "first")]
    if offset > 0:
        parts.append(link(max(offset - limit, 0), "prev"))
    if offset + limit < total:
        parts.append(link(offset + limit, "next"))
    parts.append(link(max((total - 1) // limit * limit, 0), "last"))
    return ",".join(parts)


def table_routes(ctx: Context) -> list[Route]:
    """The Table API routes of one instance (default and versioned URLs)."""

    def record_of(request: Request, table: str) -> Row:
        row = ctx.instance.get(table, request.path_params["sys_id"])
        if row is None:
            raise not_found()
        return row

    async def list_records(request: Request) -> Response:
        ctx.authenticate(request)
        table = _table(request)
        limit = _int_param(request, "sysparm_limit", DEFAULT_LIMIT, 1)
        offset = _int_param(request, "sysparm_offset", 0, 0)
        rows = ctx.instance.select(table, request.query_params.get("sysparm_query", ""))
        shape = _Shape(request)
        page = [shape.render(ctx, table, row) for row in rows[offset : offset + limit]]
        headers = {"X-Total-Count": str(len(rows))}
        if not flag(request, "sysparm_suppress_pagination_header"):
            headers["Link"] = _links(request, offset, limit, len(rows))
        return respond(page, headers=headers)

    async def get_record(request: Request) -> Response:
        ctx.authenticate(request)
        table = _table(request)
        return respond(_Shape(request).render(ctx, table, record_of(request, table)))

    async def create_record(request: Request) -> Response:
        user = ctx.authenticate(request)
        table = _table(request)
        payload = await read_object(request)
        row, _ = records.create(
            ctx.instance, table, payload, user=user,
            input_display=flag(request, "sysparm_input_display_value"),
        )  # fmt: skip
        location = f"{str(request.base_url).rstrip('/')}/api/now/table/{table}/{row['sys_id']}"
        body = _Shape(request).render(ctx, table, row)
        return respond(body, status=201, headers={"Location": location})

    async def update_record(request: Request) -> Response:
        user = ctx.authenticate(request)
        table = _table(request)
        row = record_of(request, table)
        payload = await read_object(request)
        records.update(
            ctx.instance, table, row, payload, user=user,
            input_display=flag(request, "sysparm_input_display_value"),
        )  # fmt: skip
        return respond(_Shape(request).render(ctx, table, row))

    async def delete_record(request: Request) -> Response:
        ctx.authenticate(request)
        table = _table(request)
        records.delete(ctx.instance, table, record_of(request, table))
        return Response(status_code=204)

    routes: list[Route] = []
    for prefix in ("/api/now/table", "/api/now/v1/table", "/api/now/v2/table"):
        routes += [
            Route(prefix + "/{table}", list_records, methods=["GET"]),
            Route(prefix + "/{table}", create_record, methods=["POST"]),
            Route(prefix + "/{table}/{sys_id}", get_record, methods=["GET"]),
            Route(prefix + "/{table}/{sys_id}", update_record, methods=["PATCH", "PUT"]),
            Route(prefix + "/{table}/{sys_id}", delete_record, methods=["DELETE"]),
        ]
    return routes
