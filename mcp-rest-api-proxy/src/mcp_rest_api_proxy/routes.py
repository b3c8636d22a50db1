"""The REST routes (the reference design's paths and shapes), thin over ProxyService."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.responses import JSONResponse

from mcp_common.observability import log_context

from .openapi import problem_responses
from .problems import ProxyProblem
from .service import ProxyService

__all__ = [
    "ServerStatus",
    "ServersResponse",
    "ToolCallRequest",
    "ToolCallResponse",
    "ToolsResponse",
    "build_router",
]


class ServerStatus(BaseModel):
    """One configured MCP server."""

    name: str
    status: str = Field(description="'up' when its health endpoint answers, else 'down'")
    tools_url: str


class ServersResponse(BaseModel):
    """The configured MCP servers."""

    servers: list[ServerStatus]


class ToolsResponse(BaseModel):
    """The tools of one server that the caller may call."""

    server: str
    tools: list[dict[str, Any]] = Field(
        description="name, title?, description, inputSchema, outputSchema?, annotations"
    )


class ToolCallRequest(BaseModel):
    """A tool call: the tool's arguments (see its inputSchema)."""

    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolCallResponse(BaseModel):
    """A successful tool call."""

    status: str = Field("success", description="always 'success' (errors are problem+json)")
    result: Any = Field(description="structuredContent when the tool has one, else its text")
    server: str
    tool: str


def build_router(service: ProxyService) -> APIRouter:
    """The /api/v1/mcp routes, each authenticated and authorized."""
    router = APIRouter(prefix="/api/v1/mcp", tags=["mcp"])
    gate = service.gate

    @router.get(
        "/servers",
        response_model=ServersResponse,
        responses=problem_responses((401, 403)),
        operation_id="list_servers",
    )
    async def list_servers(request: Request) -> JSONResponse:
        """The configured MCP servers and their health."""
        principal, _ = await gate.authenticate(request)
        request.state.user_id = principal.subject
        with log_context(**{"user.id": principal.subject}):
            return JSONResponse(await service.servers(principal))

    @router.get(
        "/{server_name}/tools",
        response_model=ToolsResponse,
        responses=problem_responses((401, 403, 404, 429, 502, 503, 504)),
        operation_id="list_tools",
    )
    async def list_tools(request: Request, server_name: str) -> JSONResponse:
        """The tools of one MCP server that the caller may call."""
        principal, token = await gate.authenticate(request)
        request.state.user_id = principal.subject
        request.state.mcp_server = server_name
        with log_context(**{"user.id": principal.subject}):
            body = await service.tools(principal, token, server_name, request.state.request_id)
        return JSONResponse(body)

    @router.post(
        "/{server_name}/tools/{tool_name}",
        response_model=ToolCallResponse,
        responses=problem_responses(),
        operation_id="call_tool",
        openapi_extra={"requestBody": _CALL_BODY},
    )
    async def call_tool(request: Request, server_name: str, tool_name: str) -> JSONResponse:
        """Call a tool with `{"arguments": {...}}`; the result is the tool's own."""
        # The body is read only once the caller is known: no parsing for strangers.
        principal, token = await gate.authenticate(request)
        state = request.state
        state.user_id, state.mcp_server, state.mcp_tool = principal.subject, server_name, tool_name
        arguments = await _arguments(request)
        with log_context(**{"user.id": principal.subject}):
            body = await service.call(
                principal, token, server_name, tool_name, arguments, state.request_id
            )
        return JSONResponse(body)

    return router


_CALL_ADAPTER = TypeAdapter(ToolCallRequest)
_CALL_BODY = {
    "required": False,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ToolCallRequest"}}},
}


# Deeper than any tool's arguments need; deep enough nesting would exhaust the recursion
# of every JSON parser on the way (ours, the MCP server's, jsonschema's).
MAX_JSON_DEPTH = 32


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def _arguments(request: Request) -> dict[str, Any]:
    """The `arguments` object of the body (no body: no arguments); 422 otherwise."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise _invalid(f"the body is nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError:
        raise _invalid('the body must be {"arguments": {...}}: it is not valid JSON') from None
    problem = _unsafe_json(body)
    if problem is not None:
        raise _invalid(problem)
    try:
        return _CALL_ADAPTER.validate_python(body).arguments
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise _invalid(f'the body must be {{"arguments": {{...}}}}: {where}') from None


def _invalid(detail: str) -> ProxyProblem:
    return ProxyProblem(422, "invalid-request", detail)


def _unsafe_json(value: Any) -> str | None:
    """Why `value` cannot be passed on (too deep, text that is not Unicode), else None."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "body")]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, dict | list) and depth > MAX_JSON_DEPTH:
            return f"the body is nested more than {MAX_JSON_DEPTH} levels deep (at {where[:80]})"
        if isinstance(item, dict):
            for key, child in item.items():
                if not _is_unicode(key):
                    return f"a key in {where} is not valid Unicode text (a lone surrogate)"
                stack.append((child, depth + 1, f"{where}.{key[:32]}"))
        elif isinstance(item, list):
            stack.extend((child, depth + 1, f"{where}[{i}]") for i, child in enumerate(item))
        elif isinstance(item, str) and not _is_unicode(item):
            # JSON's \ud800 escapes decode to a lone surrogate: no valid UTF-8 exists for it.
            return f"{where} is not valid Unicode text (a lone surrogate)"
    return None


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
