"""ErrorMiddleware: every failed call answers `isError` with a safe message and a typed kind.

The kind (in `_meta["io.mcp-platform/error"]`) follows from the type of the platform error
raised, by the chain or by the tool body, never from parsing a message.
"""

from __future__ import annotations

from typing import Any

import pytest

from mcp_common.observability import PlatformMetrics
from mcp_common.server import ERROR_META, InMemoryRateLimiter
from mcp_common.testing import StaticAuthorizer


@pytest.fixture(scope="module")
def metrics() -> PlatformMetrics:
    return PlatformMetrics("demo")


@pytest.fixture(scope="module")
def url(start_server: Any, metrics: PlatformMetrics) -> str:
    only_reads = StaticAuthorizer(lambda r: r.action == "read")
    return str(start_server(authorizer=only_reads, metrics=metrics))


@pytest.fixture(scope="module")
def limited_url(start_server: Any) -> str:
    return str(start_server(rate_limiter=InMemoryRateLimiter(1)))


async def error_of(connect: Any, url: str, tool: str, arguments: dict[str, Any]) -> tuple[str, Any]:
    async with connect(url) as client:
        result = await client.call_tool(tool, arguments, raise_on_error=False)
    assert result.is_error
    return result.content[0].text, result.meta[ERROR_META]


async def test_a_denied_call_names_the_action_and_the_resource(connect: Any, url: str) -> None:
    message, error = await error_of(connect, url, "change", {"line": "x"})
    assert message == "Access denied: action 'write' on resource 'demo' (tool 'change')"
    assert error == {"kind": "denied", "action": "write", "resource": "demo"}


async def test_an_undeclared_tool_is_unknown(connect: Any, url: str) -> None:
    message, error = await error_of(connect, url, "format_disk", {})
    assert message == "Unknown tool: 'format_disk'"
    assert error == {"kind": "unknown_tool"}


async def test_bad_arguments_are_invalid_arguments(connect: Any, url: str) -> None:
    message, error = await error_of(connect, url, "add", {"a": 1, "b": "two"})
    assert error == {"kind": "invalid_arguments"}
    assert "b" in message


async def test_a_backend_failure_carries_backend_status_and_retry_after(
    connect: Any, url: str, metrics: PlatformMetrics
) -> None:
    before = metrics.registry.get_sample_value("mcp_errors_total", {"kind": "http"}) or 0
    message, error = await error_of(connect, url, "busy_backend", {})
    assert message == "demo returned HTTP 503"
    assert error == {
        "kind": "upstream_error",
        "backend": "demo",
        "status": 503,
        "retry_after": 7.0,
        "reason": "http",
    }
    assert metrics.registry.get_sample_value("mcp_errors_total", {"kind": "http"}) == before + 1


async def test_another_platform_error_is_a_tool_error_with_its_own_safe_message(
    connect: Any, url: str, metrics: PlatformMetrics
) -> None:
    message, error = await error_of(connect, url, "misconfigured", {})
    assert message == "secret 'api/demo' lacks base_url"
    assert error == {"kind": "tool_error"}
    labels = {"kind": "ConfigurationError"}
    assert metrics.registry.get_sample_value("mcp_errors_total", labels) == 1


async def test_an_unexpected_failure_in_a_tool_leaks_nothing(connect: Any, url: str) -> None:
    message, error = await error_of(connect, url, "crash", {})
    assert message == "Error calling tool 'crash'"
    assert error == {"kind": "tool_error"}


async def test_refusals_of_the_chain_are_not_counted_as_errors(
    connect: Any, url: str, metrics: PlatformMetrics
) -> None:
    await error_of(connect, url, "change", {"line": "x"})
    await error_of(connect, url, "format_disk", {})
    kinds = {s.labels["kind"] for s in metrics.errors.collect()[0].samples}
    assert not kinds & {"AuthorizationDenied", "UnknownTool", "RateLimitExceeded"}


async def test_a_rate_limited_call_says_when_to_retry(connect: Any, limited_url: str) -> None:
    async with connect(limited_url) as client:
        assert (await client.call_tool("add", {"a": 1, "b": 2})).data == 3
        result = await client.call_tool("add", {"a": 1, "b": 2}, raise_on_error=False)
    assert result.is_error
    assert result.content[0].text == "Rate limit exceeded for tool 'add'; retry in 60 s"
    assert result.meta[ERROR_META] == {"kind": "rate_limited", "retry_after": 60}


class BrokenLimiter:
    """A rate limiter that fails: a failure of the chain itself, not of a tool."""

    async def hit(self, key: str) -> float:
        raise RuntimeError(f"limiter exploded for {key} with password=hunter2")


async def test_a_failure_of_the_chain_itself_is_internal_counted_and_leaks_nothing(
    connect: Any, start_server: Any
) -> None:
    metrics = PlatformMetrics("demo")
    url = start_server(rate_limiter=BrokenLimiter(), metrics=metrics)
    message, error = await error_of(connect, url, "add", {"a": 1, "b": 2})
    assert message == "Internal error; the platform team can trace it in the logs"
    assert error == {"kind": "internal"}
    assert metrics.registry.get_sample_value("mcp_errors_total", {"kind": "internal"}) == 1
