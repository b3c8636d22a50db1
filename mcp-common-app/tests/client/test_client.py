"""McpClient against a real stateless JSON server built with create_server (`static_server`;
respx for the HTTP answers a real server does not give: 429/5xx from a gateway, garbage, SSE)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from pydantic import Field

from mcp_common import Principal, Toolset
from mcp_common.client import McpCallError, McpClient, ToolInfo, visibility_key
from mcp_common.errors import PlatformError, UpstreamError
from mcp_common.server import InMemoryRateLimiter
from platform_testkit.static_server import static_server
from simulator_kit.serve import BackgroundServer

TOKEN = "token-of-alice"
ALICE = Principal(subject="alice", groups=frozenset({"ops"}), mfa=True)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tools() -> Toolset:
    ts = Toolset("t")

    @ts.tool(action="read")
    async def echo(text: str = Field(max_length=20)) -> dict[str, Any]:
        """Echo."""
        return {"text": text}

    @ts.tool(action="read")
    async def shout(text: str) -> str:
        """Upper-case."""
        return text.upper()

    @ts.tool(action="write")
    async def change(line: str) -> str:
        """A write the policy refuses."""
        return line

    @ts.tool(action="read")
    async def broken() -> str:
        """Fails like a backend."""
        raise UpstreamError("backend returned HTTP 500 Internal Server Error", backend="b")

    @ts.tool(action="read")
    async def slow() -> str:
        """Takes a second."""
        await asyncio.sleep(1)
        return "late"

    @ts.tool(action="read")
    async def limited() -> str:
        """Behind a one-call-a-minute limit (see the rate limiter below)."""
        return "ok"

    return ts


class _OnlyLimited:
    """A limiter that only limits the `limited` tool."""

    def __init__(self) -> None:
        self._inner = InMemoryRateLimiter(1)

    async def hit(self, key: str) -> float:
        return await self._inner.hit(key) if key.endswith(":limited") else 0.0


@pytest.fixture(scope="module")
def server(serve: Callable[..., BackgroundServer]) -> str:
    port = _port()
    platform = static_server(
        port,
        name="t",
        resource="github",
        toolsets=[tools()],
        tokens={TOKEN: ALICE},
        allow=lambda r: r.action == "read",
        rate_limiter=_OnlyLimited(),
    )
    return f"{serve(platform.http_app(), port).url}/mcp"


async def error_of(coro: Any) -> McpCallError:
    with pytest.raises(McpCallError) as caught:
        await coro
    return caught.value


# --- against the real server ---------------------------------------------------------------
async def test_lists_tools_in_one_request_without_initialize(server: str) -> None:
    async with httpx.AsyncClient() as raw:
        # the premise, checked on the wire: a bare tools/call is answered
        answer = await raw.post(
            server,
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                  "params": {"name": "echo", "arguments": {"text": "x"}}},
            headers={"Authorization": f"Bearer {TOKEN}",
                     "Accept": "application/json, text/event-stream"},
        )  # fmt: skip
    assert answer.json()["result"]["structuredContent"] == {"text": "x"}
    client = McpClient("t", server)
    listed = {t.name: t for t in await client.list_tools(TOKEN)}
    await client.aclose()
    assert set(listed) == {"echo", "shout", "broken", "slow", "limited"}  # not `change`
    assert listed["echo"].action == "read" and listed["echo"].input_schema["required"] == ["text"]
    assert listed["shout"].wraps_result and listed["shout"].result_schema == {"type": "string"}


async def test_calls_return_structured_or_unwrapped_values(server: str) -> None:
    client = McpClient("t", server)
    echo = await client.call_tool("echo", {"text": "hi"}, TOKEN)
    shout = await client.call_tool("shout", {"text": "hi"}, TOKEN)
    await client.aclose()
    assert echo.value == {"text": "hi"} and shout.value == "HI" and shout.text == "HI"


@pytest.mark.parametrize(
    ("tool", "arguments", "kind"),
    [
        ("change", {"line": "x"}, "denied"),
        ("nope", {}, "unknown_tool"),
        ("echo", {"text": 3}, "invalid_arguments"),
        ("broken", {}, "tool_error"),
    ],
)
async def test_tool_errors_are_classified(
    server: str, tool: str, arguments: dict[str, Any], kind: str
) -> None:
    client = McpClient("t", server)
    error = await error_of(client.call_tool(tool, arguments, TOKEN))
    await client.aclose()
    assert error.kind == kind and error.server == "t"
    if kind == "denied":
        assert (error.action, error.resource) == ("write", "github")
    if kind == "tool_error":
        assert str(error) == "backend returned HTTP 500 Internal Server Error"


async def test_a_server_rate_limit_carries_its_retry_delay(server: str) -> None:
    client = McpClient("t", server)
    await client.call_tool("limited", {}, TOKEN)
    error = await error_of(client.call_tool("limited", {}, TOKEN))
    await client.aclose()
    assert error.kind == "rate_limited" and error.retry_after and error.retry_after >= 1


async def test_a_token_the_server_refuses_is_unauthorized(server: str) -> None:
    client = McpClient("t", server)
    error = await error_of(client.list_tools("someone-else"))
    await client.aclose()
    assert (error.kind, error.status) == ("unauthorized", 401)


async def test_a_slow_answer_is_a_timeout(server: str) -> None:
    client = McpClient("t", server, timeout=0.2)
    assert (await error_of(client.call_tool("slow", {}, TOKEN))).kind == "timeout"
    await client.aclose()


async def test_a_closed_port_is_unavailable_and_unhealthy() -> None:
    client = McpClient("gone", f"http://127.0.0.1:{_port()}/mcp")
    assert (await error_of(client.list_tools(TOKEN))).kind == "unavailable"
    assert await client.health() is False
    await client.aclose()


async def test_health_asks_the_servers_healthz(server: str) -> None:
    client = McpClient("t", server)
    assert client.health_url.endswith("/healthz") and await client.health() is True
    await client.aclose()


# --- the wire and the cache (respx) --------------------------------------------------------
URL = "http://mcp.test/mcp"
LIST = {"jsonrpc": "2.0", "id": "x", "result": {"tools": [{"name": "a", "inputSchema": {}}]}}


@respx.mock
async def test_each_request_is_one_post_with_token_protocol_and_request_id() -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(200, json=LIST))
    client = McpClient("m", URL, transport=httpx.AsyncHTTPTransport())  # respx mocks httpcore
    await client.list_tools(TOKEN, request_id="rid-1")
    await client.aclose()
    sent = route.calls.last.request
    assert route.call_count == 1
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["mcp-protocol-version"] == "2025-11-25"
    assert sent.headers["x-request-id"] == "rid-1"
    assert json.loads(sent.content)["method"] == "tools/list"


@respx.mock
async def test_lists_are_shared_by_callers_with_the_same_rights_only() -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(200, json=LIST))
    client = McpClient("m", URL, transport=httpx.AsyncHTTPTransport())  # respx mocks httpcore
    same = visibility_key(ALICE)
    twin = visibility_key(Principal(subject="bob", groups=frozenset({"ops"}), mfa=True))
    no_mfa = visibility_key(Principal(subject="carol", groups=frozenset({"ops"})))
    assert same == twin and same != no_mfa
    await asyncio.gather(*(client.list_tools(TOKEN, cache_key=same) for _ in range(5)))
    await client.list_tools(TOKEN, cache_key=twin)
    assert route.call_count == 1  # five at once and a twin: one fetch
    await client.list_tools(TOKEN, cache_key=no_mfa)
    assert route.call_count == 2
    await client.list_tools(TOKEN, cache_key=same, max_age=0)
    assert route.call_count == 3
    client.forget()
    await client.list_tools(TOKEN, cache_key=same)
    assert route.call_count == 4
    await client.aclose()


@respx.mock
@pytest.mark.parametrize(
    ("status", "headers", "kind"),
    [
        (429, {"Retry-After": "7"}, "rate_limited"),
        (413, {}, "too_large"),
        (404, {}, "endpoint_not_found"),
        (403, {}, "forbidden"),
        (500, {}, "upstream_error"),
        (503, {"Retry-After": "3"}, "unavailable"),
    ],
)
async def test_http_statuses_map_to_kinds(status: int, headers: dict[str, str], kind: str) -> None:
    respx.post(URL).mock(
        return_value=httpx.Response(status, headers=headers, text="secret-body-text")
    )
    client = McpClient("m", URL, transport=httpx.AsyncHTTPTransport())  # respx mocks httpcore
    error = await error_of(client.call_tool("a", {}, TOKEN))
    await client.aclose()
    assert (error.kind, error.status) == (kind, status)
    if "Retry-After" in headers:
        assert error.retry_after == float(headers["Retry-After"])
    assert "secret-body-text" not in str(error)  # the body is not echoed to callers


def rpc_error(code: int, message: str) -> httpx.Response:
    return httpx.Response(200, json={"jsonrpc": "2.0", "error": {"code": code, "message": message}})


@respx.mock
@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (httpx.Response(200, text="<html>"), "protocol"),
        (httpx.Response(200, json={"jsonrpc": "2.0", "id": "x"}), "protocol"),
        (rpc_error(-32602, "bad"), "invalid_arguments"),
        (rpc_error(-32601, "nope"), "protocol"),
        (rpc_error(-1, "Unknown tool: 'a'"), "unknown_tool"),
    ],
)
async def test_answers_that_are_not_results_map_to_kinds(answer: httpx.Response, kind: str) -> None:
    respx.post(URL).mock(return_value=answer)
    client = McpClient("m", URL, transport=httpx.AsyncHTTPTransport())  # respx mocks httpcore
    assert (await error_of(client.call_tool("a", {}, TOKEN))).kind == kind
    await client.aclose()


@respx.mock
async def test_an_event_stream_answer_is_read_too() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        rpc_id = json.loads(request.content)["id"]
        event = {"jsonrpc": "2.0", "id": rpc_id,
                 "result": {"content": [{"type": "text", "text": "hello"}]}}  # fmt: skip
        body = f"event: message\ndata: {json.dumps(event)}\n\n"
        return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})

    respx.post(URL).mock(side_effect=answer)
    client = McpClient("m", URL, transport=httpx.AsyncHTTPTransport())  # respx mocks httpcore
    assert (await client.call_tool("a", {}, TOKEN)).value == "hello"
    await client.aclose()


@respx.mock
async def test_a_dropped_keepalive_is_retried_for_lists_never_for_calls() -> None:
    route = respx.post(URL)
    route.side_effect = [httpx.RemoteProtocolError("closed"), httpx.Response(200, json=LIST)]
    client = McpClient("m", URL, transport=httpx.AsyncHTTPTransport())  # respx mocks httpcore
    assert [t.name for t in await client.list_tools(TOKEN)] == ["a"]
    route.side_effect = [httpx.RemoteProtocolError("closed")]
    assert (await error_of(client.call_tool("a", {}, TOKEN))).kind == "unavailable"
    await client.aclose()


# --- contracts ------------------------------------------------------------------------------
def test_errors_are_platform_errors_with_known_kinds_only() -> None:
    assert isinstance(McpCallError("x", kind="timeout", server="s"), PlatformError)
    with pytest.raises(ValueError, match="kind"):
        McpCallError("x", kind="weird", server="s")


@pytest.mark.parametrize(
    "kwargs",
    [{"url": "ftp://x"}, {"timeout": 0}, {"max_connections": 0}, {"name": ""}],
)
def test_constructor_refuses_bad_arguments(kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"name": "m", "url": URL, **kwargs}
    with pytest.raises(ValueError):
        McpClient(args.pop("name"), args.pop("url"), **args)


def test_tool_info_reads_the_wire_format() -> None:
    info = ToolInfo.from_wire(
        {"name": "x", "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": True}}
    )
    assert info.action == "read" and info.output_schema is None and info.result_schema is None
    with pytest.raises(ValueError):
        ToolInfo.from_wire({"description": "no name"})


def error_result(kind_info: dict) -> httpx.Response:
    return httpx.Response(200, json={"jsonrpc": "2.0", "id": "x", "result": {
        "content": [{"type": "text", "text": "it failed"}], "isError": True,
        "_meta": {"io.mcp-platform/error": kind_info}}})  # fmt: skip


@respx.mock
@pytest.mark.parametrize(
    ("info", "kind", "retry_after"),
    [
        ({"kind": "denied", "action": "write", "resource": "github"}, "denied", None),
        ({"kind": "rate_limited", "retry_after": 7}, "rate_limited", 7.0),
        ({"kind": "upstream_error", "status": 429, "retry_after": 30}, "rate_limited", 30.0),
        ({"kind": "upstream_error", "status": 503}, "tool_error", None),
        ({"kind": "invalid_arguments"}, "invalid_arguments", None),
        ({"kind": "internal"}, "tool_error", None),
    ],
)
async def test_error_kinds_are_read_from_the_result_meta(
    info: dict, kind: str, retry_after: float | None
) -> None:
    respx.post(URL).mock(side_effect=lambda request: _with_id(request, error_result(info)))
    client = McpClient("m", URL, transport=httpx.AsyncHTTPTransport())  # respx mocks httpcore
    error = await error_of(client.call_tool("a", {}, TOKEN))
    await client.aclose()
    assert (error.kind, error.retry_after) == (kind, retry_after)
    if kind == "denied":
        assert (error.action, error.resource) == ("write", "github")


def _with_id(request: httpx.Request, response: httpx.Response) -> httpx.Response:
    body = json.loads(response.content)
    body["id"] = json.loads(request.content)["id"]
    return httpx.Response(200, json=body)
