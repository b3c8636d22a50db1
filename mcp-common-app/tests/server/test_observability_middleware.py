"""ObservabilityMiddleware: the caller is resolved once per request; every call is measured."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import httpx
import pytest
from fastmcp.server.dependencies import get_access_token, get_http_request

from mcp_common.observability import PlatformMetrics, configure_logging
from mcp_common.testing import StaticAuthorizer


@pytest.fixture(scope="module")
def metrics() -> PlatformMetrics:
    return PlatformMetrics("demo")


@pytest.fixture(scope="module")
def authorizer() -> StaticAuthorizer:
    return StaticAuthorizer(lambda r: r.action == "read")


@pytest.fixture(scope="module")
def url(start_server: Any, metrics: PlatformMetrics, authorizer: StaticAuthorizer) -> str:
    return str(start_server(metrics=metrics, authorizer=authorizer))


async def test_the_tool_body_sees_the_caller_of_the_verified_token(connect: Any, url: str) -> None:
    async with connect(url, "bob-token") as client:
        assert (await client.call_tool("whoami", {})).data["subject"] == "bob"


async def test_the_caller_is_read_from_the_token_once_per_request_and_seen_by_every_step(
    connect: Any, url: str, authorizer: StaticAuthorizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[tuple[int, str]] = []

    def counting() -> Any:
        token = get_access_token()
        reads.append((id(get_http_request()), token.subject if token else ""))
        return token

    # Every read of the caller from the token goes through here (principal_from_request).
    monkeypatch.setattr("mcp_common.auth._fastmcp.get_access_token", counting)
    async with connect(url) as client:
        result = await client.call_tool_mcp("whoami", {})
    requests = [request for request, _ in reads]
    # One read per HTTP request; rate limit, authorization and the tool body reuse it.
    assert reads and len(requests) == len(set(requests))
    assert {subject for _, subject in reads} == {"alice"}
    assert result.structured_content is not None
    assert result.structured_content["subject"] == "alice"
    assert authorizer.requests[-1].principal.subject == "alice"


async def test_a_callers_plain_request_id_is_kept_and_a_forged_one_replaced(
    connect: Any, url: str
) -> None:
    async with connect(url, headers={"x-request-id": "req-42"}) as client:
        assert (await client.call_tool("whoami", {})).data["trace"] == "req-42"
    async with connect(url, headers={"x-request-id": 'x" forged=1'}) as client:
        trace = (await client.call_tool("whoami", {})).data["trace"]
    assert trace != 'x" forged=1' and len(trace) == 32 and trace.isalnum()


async def test_every_call_is_measured_with_its_outcome(
    connect: Any, url: str, metrics: PlatformMetrics
) -> None:
    def count(tool: str, status: str) -> float:
        labels = {"tool": tool, "status": status}
        name = "mcp_tool_call_duration_seconds_count"
        return metrics.registry.get_sample_value(name, labels) or 0

    before = (count("add", "success"), count("change", "denied"), count("misconfigured", "error"))
    async with connect(url) as client:
        await client.call_tool("add", {"a": 1, "b": 2})
        await client.call_tool("change", {"line": "x"}, raise_on_error=False)
        await client.call_tool("misconfigured", {}, raise_on_error=False)
    after = (count("add", "success"), count("change", "denied"), count("misconfigured", "error"))
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1]


async def test_a_tool_call_writes_two_lines_at_info_the_decision_and_the_call(url: str) -> None:
    # The audit trail of a call is its policy decision and its call line; nothing else per
    # call at INFO (the MCP SDK's per-request "Terminating session" line is silenced).
    headers = {
        "Authorization": "Bearer alice-token",
        "Accept": "application/json, text/event-stream",
    }
    stream = io.StringIO()
    configure_logging("demo", "INFO", stream=stream)
    try:
        async with httpx.AsyncClient(headers=headers) as http:
            for a in range(3):  # one tools/call each, as an agent sends it
                call = {"name": "add", "arguments": {"a": a, "b": 2}}
                body = {"jsonrpc": "2.0", "id": a, "method": "tools/call", "params": call}
                assert (await http.post(url, json=body)).status_code == 200
            await asyncio.sleep(0.2)  # what a request logs after its answer is sent
    finally:
        configure_logging("demo", "INFO")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    actions = [line.get("event.action") for line in lines]
    assert actions == ["authorization.decision", "mcp.tool.call"] * 3, lines
