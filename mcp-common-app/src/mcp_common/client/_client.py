"""A lean MCP client for the platform's own stateless JSON servers: one pooled POST per call.

Stateless servers with JSON responses (ADR 0003) need no `initialize` and no session (checked
with FastMCP 4.1.6): each `tools/list` or `tools/call` is one JSON-RPC POST on a kept-alive
connection, carrying the caller's own bearer token."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
import uuid
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from mcp_common.auth._principal import Principal
from mcp_common.errors import PlatformError
from mcp_common.http._client import parse_retry_after
from mcp_common.http._transport import PooledTransport
from mcp_common.server._tool_errors import ERROR_META

__all__ = ["PROTOCOL_VERSION", "McpCallError", "McpClient", "ToolCallResult", "ToolInfo",
           "visibility_key"]  # fmt: skip

PROTOCOL_VERSION = "2025-11-25"
# The MCP server's own HTTP error statuses -> (kind, what to tell the caller).
_STATUS: dict[int, tuple[str, str]] = {
    401: ("unauthorized", "MCP server did not accept the token"),
    403: ("forbidden", "MCP server refused the request (host or origin check)"),
    404: ("endpoint_not_found", "MCP endpoint not found (check the server URL)"),
    413: ("too_large", "request too large for the MCP server"),
    429: ("rate_limited", "MCP server rate limit exceeded"),
    **{code: ("unavailable", "MCP server is unavailable") for code in (502, 503, 504)},
}
KINDS = frozenset({"denied", "unknown_tool", "invalid_arguments", "invalid_input", "tool_error",
                   "upstream_error", "backend_unavailable", "timeout", "protocol",
                   *(kind for kind, _ in _STATUS.values())})  # fmt: skip
_MAX_PAGES = 50
_MAX_MESSAGE = 1000


class McpCallError(PlatformError):
    """An MCP call failed (`str()` is safe to show). `kind`: denied (by the server's policy),
    unknown_tool, invalid_arguments, invalid_input (the tool refused its input by its own
    rules), rate_limited, backend_unavailable (the server's circuit to its backend is open;
    `retry_after` says when to retry), tool_error (the tool ran and failed), the
    server's HTTP 401/403/404/413/5xx as unauthorized/forbidden/endpoint_not_found/too_large/
    upstream_error, unavailable (refused, connect timeout, 502-504), timeout, protocol."""

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        server: str,
        status: int | None = None,
        retry_after: float | None = None,
        action: str | None = None,
        resource: str | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown McpCallError kind {kind!r}")
        self.kind = kind
        self.server = server
        self.status = status  # the MCP server's HTTP status, when it answered with one
        self.retry_after = retry_after
        self.action, self.resource = action, resource  # "denied": what, on which resource
        super().__init__(message[:_MAX_MESSAGE])


@dataclass(frozen=True, slots=True)
class ToolInfo:
    """One tool as `tools/list` describes it."""

    name: str
    description: str = ""
    input_schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "object"})
    output_schema: Mapping[str, Any] | None = None
    annotations: Mapping[str, Any] = field(default_factory=dict)
    title: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> ToolInfo:
        """Build from a `tools/list` entry; raise ValueError when it is not a tool."""
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError("tool without a name")
        schema, output = raw.get("inputSchema"), raw.get("outputSchema")
        return cls(
            name=name,
            description=str(raw.get("description") or ""),
            input_schema=schema if isinstance(schema, dict) else {"type": "object"},
            output_schema=output if isinstance(output, dict) else None,
            annotations=dict(raw.get("annotations") or {}),
            title=raw.get("title") if isinstance(raw.get("title"), str) else None,
            meta=dict(raw.get("_meta") or {}),
        )

    @property
    def action(self) -> str:
        """The declared action (read, write, execute); unknown tools count as execute."""
        declared = self.meta.get("action")
        if declared in ("read", "write", "execute"):
            return str(declared)
        return "read" if self.annotations.get("readOnlyHint") is True else "execute"

    @property
    def wraps_result(self) -> bool:
        """FastMCP wraps non-object results as {"result": value} in structuredContent."""
        return bool(self.output_schema and self.output_schema.get("x-fastmcp-wrap-result"))

    @property
    def result_schema(self) -> Mapping[str, Any] | None:
        """The schema of `ToolCallResult.value` (the output schema, unwrapped)."""
        if self.output_schema is None:
            return None
        if self.wraps_result:
            inner = self.output_schema.get("properties", {}).get("result")
            inner = dict(inner) if isinstance(inner, dict) else {}
            if "$defs" in self.output_schema:  # refs inside point at the wrapper's $defs
                inner["$defs"] = self.output_schema["$defs"]
            return inner
        return self.output_schema


@dataclass(frozen=True, slots=True)
class ToolCallResult:
    """A successful `tools/call` answer."""

    content: tuple[Mapping[str, Any], ...]
    structured: Any = None
    wrapped: bool = False

    @property
    def text(self) -> str:
        """The text parts of the content, joined."""
        return _text(self.content)

    @property
    def value(self) -> Any:
        """structuredContent (unwrapped) when present, else the text, else the raw content."""
        if self.structured is not None:
            if self.wrapped and isinstance(self.structured, dict) and "result" in self.structured:
                return self.structured["result"]
            return self.structured
        if all(c.get("type") == "text" for c in self.content):
            return self.text
        return [dict(c) for c in self.content]


def _text(content: tuple[Mapping[str, Any], ...]) -> str:
    return "\n".join(str(c.get("text", "")) for c in content if c.get("type") == "text")


def visibility_key(principal: Principal) -> Hashable:
    """What decides which tools a caller sees: the inputs policy.rego reads (groups, MFA)."""
    return (principal.groups, principal.mfa)


class McpClient:
    """One upstream MCP server: pooled keep-alive connections, one POST per request."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 3.0,
        max_connections: int = 100,
        max_waiting: int = 200,
        list_cache_ttl: float = 10.0,
        list_cache_entries: int = 1024,
        health_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not name:
            raise ValueError("an MCP server needs a name")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"MCP server {name!r}: url must be http(s), got {url!r}")
        if timeout <= 0 or connect_timeout <= 0:
            raise ValueError("timeouts must be > 0 seconds")
        if max_connections < 1 or list_cache_ttl < 0 or list_cache_entries < 1:
            raise ValueError("need max_connections >= 1, list_cache_ttl >= 0, entries >= 1")
        self.name = name
        self.url = url
        self.health_url = health_url or str(httpx.URL(url).copy_with(path="/healthz", query=None))
        # RPCs go straight to the transport: no cookies, redirects or hooks to run per call.
        # aiohttp's pool (linear under contention); past `max_connections + max_waiting`
        # calls in flight, a call fails at once as "unavailable".
        self._transport = transport or PooledTransport(
            max_connections=max_connections, max_waiting=max(0, max_waiting)
        )
        self._timeouts = httpx.Timeout(timeout, connect=min(timeout, connect_timeout)).as_dict()
        self._http = httpx.AsyncClient(transport=self._transport)  # health checks
        self._ttl = list_cache_ttl
        self._max_entries = list_cache_entries
        self._lists: OrderedDict[Hashable, tuple[float, tuple[ToolInfo, ...]]] = OrderedDict()
        self._inflight: dict[Hashable, asyncio.Task[tuple[ToolInfo, ...]]] = {}
        self._ids = itertools.count(1)

    async def list_tools(
        self,
        token: str,
        *,
        request_id: str | None = None,
        cache_key: Hashable | None = None,
        max_age: float | None = None,
    ) -> tuple[ToolInfo, ...]:
        """The tools this token may call (the server filters by policy).

        With `cache_key` (see `visibility_key`), lists are reused for callers with the same
        key for up to `list_cache_ttl` seconds (or `max_age`, when smaller).
        """
        if cache_key is None or self._ttl == 0:
            return await self._fetch_tools(token, request_id)
        key = cache_key
        hit = self._lists.get(key)
        ttl = self._ttl if max_age is None else min(max_age, self._ttl)
        now = time.monotonic()
        if hit is not None and now - hit[0] < ttl:
            return hit[1]
        task = self._inflight.get(key)
        if task is None:
            # One fetch for a burst of callers with the same rights, not one each.
            task = asyncio.ensure_future(self._fetch_tools(token, request_id))
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._settle(key, done))
        tools = await asyncio.shield(task)
        self._lists[key] = (now, tools)
        self._lists.move_to_end(key)
        while len(self._lists) > self._max_entries:
            self._lists.popitem(last=False)
        return tools

    async def _fetch_tools(self, token: str, request_id: str | None) -> tuple[ToolInfo, ...]:
        tools: list[ToolInfo] = []
        cursor: str | None = None
        for _ in range(_MAX_PAGES):
            params = {"cursor": cursor} if cursor else {}
            result = await self._rpc("tools/list", params, token, request_id, retry=True)
            for raw in result.get("tools") or []:
                with contextlib.suppress(ValueError, AttributeError):  # skip a malformed entry
                    tools.append(ToolInfo.from_wire(raw))
            cursor = result.get("nextCursor")
            if not isinstance(cursor, str) or not cursor:
                break
        return tuple(tools)

    def _settle(self, key: Hashable, task: asyncio.Task[tuple[ToolInfo, ...]]) -> None:
        self._inflight.pop(key, None)
        if not task.cancelled():
            task.exception()  # retrieved here too, so a fetch nobody awaits logs no warning

    def forget(self) -> None:
        """Drop every cached tool list (after a deployment changed the tools)."""
        self._lists.clear()

    async def call_tool(
        self, tool: str, arguments: Mapping[str, Any], token: str, *, request_id: str | None = None
    ) -> ToolCallResult:
        """Call `tool`; raise McpCallError for every kind of failure, tool errors included."""
        params = {"name": tool, "arguments": dict(arguments)}
        result = await self._rpc("tools/call", params, token, request_id)
        content = tuple(c for c in result.get("content") or [] if isinstance(c, dict))
        if result.get("isError"):
            message = _text(content).strip() or f"tool '{tool}' failed"
            meta = result.get("_meta")
            info = meta.get(ERROR_META) if isinstance(meta, dict) else None
            raise self._kind_error(message, info if isinstance(info, dict) else {})
        meta = result.get("_meta") or {}
        wrapped = bool(isinstance(meta, dict) and (meta.get("fastmcp") or {}).get("wrap_result"))
        return ToolCallResult(content, result.get("structuredContent"), wrapped)

    async def health(self) -> bool:
        """True when the server answers its health endpoint with 2xx (within 2 s)."""
        try:
            response = await self._http.get(self.health_url, timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.is_success

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _rpc(
        self,
        method: str,
        params: Mapping[str, Any],
        token: str,
        request_id: str | None,
        *,
        retry: bool = False,
    ) -> dict[str, Any]:
        rpc_id = next(self._ids)
        body = json.dumps({"jsonrpc": "2.0", "id": rpc_id, "method": method, "params": params})
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json",
            "MCP-Protocol-Version": PROTOCOL_VERSION,
            "X-Request-ID": request_id or uuid.uuid4().hex,
        }
        try:
            try:
                response = await self._post(body, headers)
            except (httpx.RemoteProtocolError, httpx.ReadError):
                if not retry:
                    raise
                # A kept-alive connection the server had closed: safe to resend a read.
                response = await self._post(body, headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
            raise self._error("MCP server is unreachable", "unavailable") from None
        except httpx.TimeoutException:
            raise self._error("MCP server did not answer in time", "timeout") from None
        except httpx.HTTPError as exc:
            raise self._error(
                f"MCP transport failed: {type(exc).__name__}", "unavailable"
            ) from None
        message = self._decode(response, rpc_id)
        error = message.get("error")
        if isinstance(error, dict):
            raise self._rpc_error(error)
        result = message.get("result")
        if not isinstance(result, dict):
            raise self._error("MCP server answered without a result", "protocol")
        return result

    async def _post(self, body: str, headers: dict[str, str]) -> httpx.Response:
        request = httpx.Request(
            "POST", self.url, content=body, headers=headers, extensions={"timeout": self._timeouts}
        )
        response = await self._transport.handle_async_request(request)
        try:
            await response.aread()
        finally:
            await response.aclose()
        if response.status_code >= 400:
            status = response.status_code
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            default = ("upstream_error" if status >= 500 else "protocol", f"MCP said {status}")
            kind, text = _STATUS.get(status, default)
            raise self._error(text, kind, status=status, retry_after=retry_after)
        return response

    def _decode(self, response: httpx.Response, rpc_id: int) -> dict[str, Any]:
        ctype = response.headers.get("content-type", "")
        try:
            if ctype.startswith("text/event-stream"):
                # SSE mode (a server not in JSON mode): the answer is the event with our id.
                for line in response.text.splitlines():
                    if line.startswith("data:"):
                        event = json.loads(line[5:])
                        if isinstance(event, dict) and event.get("id") == rpc_id:
                            return event
                raise ValueError("no answer in the event stream")
            message = json.loads(response.content)
        except ValueError:
            raise self._error("MCP server sent an unreadable answer", "protocol") from None
        if not isinstance(message, dict):
            raise self._error("MCP server sent an unexpected answer", "protocol")
        return message

    def _rpc_error(self, error: Mapping[str, Any]) -> McpCallError:
        code, message = error.get("code"), str(error.get("message") or "MCP error")
        if code == -32602 and "Unknown tool" not in message:
            return self._error(message, "invalid_arguments")
        if code in (-32600, -32601, -32700):
            return self._error(f"MCP protocol error: {message}", "protocol")
        if "Unknown tool" in message:
            return self._error(message, "unknown_tool")
        return self._error(message, "tool_error")

    def _kind_error(self, message: str, info: dict[str, Any]) -> McpCallError:
        """Classify an `isError` result by the kind the server put in its `_meta`.

        Servers built with `create_server` always send it (`mcp_common.tool_errors`); a
        result without it is a plain tool failure.
        """
        kind, retry = info.get("kind"), info.get("retry_after")
        retry_after = float(retry) if isinstance(retry, int | float) else None
        if kind == "denied":
            return self._error(
                message, "denied", action=info.get("action"), resource=info.get("resource")
            )
        if kind == "upstream_error" and info.get("status") == 429:
            kind = "rate_limited"  # the backend's 429, passed on with its Retry-After
        if kind == "upstream_error" and info.get("reason") in ("circuit_open", "unavailable"):
            kind = "backend_unavailable"  # nothing was sent; retry after the circuit's delay
        if kind in (
            "unknown_tool", "invalid_arguments", "invalid_input", "rate_limited",
            "backend_unavailable",
        ):  # fmt: skip
            return self._error(message, str(kind), retry_after=retry_after)
        return self._error(message, "tool_error")

    def _error(self, message: str, kind: str, **extra: Any) -> McpCallError:
        return McpCallError(message, kind=kind, server=self.name, **extra)
