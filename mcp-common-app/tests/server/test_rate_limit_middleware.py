"""RateLimitMiddleware: a limit per caller x tool on tool calls; discovery is never limited."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_common.observability import PlatformMetrics
from mcp_common.server import InMemoryRateLimiter


@pytest.fixture(scope="module")
def metrics() -> PlatformMetrics:
    return PlatformMetrics("demo")


@pytest.fixture(scope="module")
def url(start_server: Any, metrics: PlatformMetrics) -> str:
    return str(start_server(rate_limiter=InMemoryRateLimiter(2), metrics=metrics))


async def test_the_limit_counts_each_caller_and_tool_apart(
    connect: Any, url: str, metrics: PlatformMetrics
) -> None:
    async with connect(url, "alice-token") as alice, connect(url, "bob-token") as bob:
        assert [(await alice.call_tool("add", {"a": 1, "b": i})).data for i in (1, 2)] == [2, 3]
        refused = await alice.call_tool("add", {"a": 1, "b": 3}, raise_on_error=False)
        assert refused.is_error and "Rate limit exceeded for tool 'add'" in refused.content[0].text
        # Another caller of the same tool, and the same caller of another tool, still may.
        assert (await bob.call_tool("add", {"a": 2, "b": 2})).data == 4
        assert (await alice.call_tool("whoami", {})).data["subject"] == "alice"
    assert metrics.registry.get_sample_value("mcp_rate_limited_total", {"tool": "add"}) == 1


async def test_listing_tools_is_never_limited(connect: Any, url: str) -> None:
    async with connect(url, "bob-token") as bob:
        for _ in range(5):
            assert "add" in {t.name for t in await bob.list_tools()}
