"""ReadCacheMiddleware: declared reads answered from the cache, writes drop what they change.

The middleware is driven as FastMCP drives it (`on_call_tool(context, call_next)`), with the
in-memory cache and a `call_next` standing in for the rest of the chain and the tool.
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import mcp_types as mt
from fastmcp.server.middleware import MiddlewareContext
from fastmcp.tools.base import ToolResult

from mcp_common.observability import PlatformMetrics
from mcp_common.server import InMemoryReadCache, ReadCacheMiddleware, ToolSpec, run_when_work_ends

SPECS = {
    "list_devices": ToolSpec(
        "list_devices", "read", cache_ttl=30, cache_tags=frozenset({"inventory"})
    ),
    "list_sites": ToolSpec("list_sites", "read", cache_ttl=30),
    "get_clock": ToolSpec("get_clock", "read"),  # declares no TTL: never cached
    "deploy": ToolSpec("deploy", "write", invalidates=frozenset({"inventory"})),
}


class Tool:
    """The rest of the chain: counts calls and answers (or fails) as told."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail = False

    async def __call__(self, context: MiddlewareContext[mt.CallToolRequestParams]) -> ToolResult:
        name = context.message.name
        self.calls.append(name)
        if self.fail:
            return ToolResult(content=[mt.TextContent(type="text", text="backend down")],
                              is_error=True)  # fmt: skip
        answer = {"tool": name, "call": len(self.calls)}
        return ToolResult(structured_content=answer)


def call(name: str, **arguments: Any) -> MiddlewareContext[mt.CallToolRequestParams]:
    return MiddlewareContext(message=mt.CallToolRequestParams(name=name, arguments=arguments))


def middleware(
    backend: str = "https://cc-1.example", metrics: PlatformMetrics | None = None
) -> ReadCacheMiddleware:
    async def identity() -> str:
        return backend

    return ReadCacheMiddleware(
        InMemoryReadCache(), server="cc", specs=SPECS, identity=identity, metrics=metrics
    )


async def test_a_declared_read_is_answered_from_the_cache_the_second_time() -> None:
    cache, tool = middleware(), Tool()
    first = await cache.on_call_tool(call("list_devices", limit=5), tool)
    second = await cache.on_call_tool(call("list_devices", limit=5), tool)
    assert tool.calls == ["list_devices"]
    assert second.structured_content == first.structured_content == {"tool": "list_devices",
                                                                      "call": 1}  # fmt: skip


async def test_the_key_is_the_normalized_arguments_so_their_order_does_not_matter() -> None:
    cache, tool = middleware(), Tool()
    await cache.on_call_tool(call("list_devices", limit=5, family="Routers"), tool)
    await cache.on_call_tool(call("list_devices", family="Routers", limit=5), tool)
    await cache.on_call_tool(call("list_devices", family="Routers", limit=6), tool)
    assert tool.calls == ["list_devices", "list_devices"]


async def test_a_tool_without_a_ttl_always_reaches_the_backend() -> None:
    cache, tool = middleware(), Tool()
    for _ in range(2):
        await cache.on_call_tool(call("get_clock"), tool)
    assert tool.calls == ["get_clock", "get_clock"]


async def test_errors_are_never_cached() -> None:
    cache, tool = middleware(), Tool()
    tool.fail = True
    refused = await cache.on_call_tool(call("list_sites"), tool)
    assert refused.is_error
    tool.fail = False
    fresh = await cache.on_call_tool(call("list_sites"), tool)
    assert not fresh.is_error and tool.calls == ["list_sites", "list_sites"]


async def test_a_write_drops_the_reads_filed_under_what_it_changes_whatever_its_outcome() -> None:
    cache, tool = middleware(), Tool()
    await cache.on_call_tool(call("list_devices"), tool)
    await cache.on_call_tool(call("list_sites"), tool)
    tool.fail = True
    await cache.on_call_tool(call("deploy"), tool)  # failed, but may have changed something
    tool.fail = False
    await cache.on_call_tool(call("list_devices"), tool)  # inventory: fresh
    await cache.on_call_tool(call("list_sites"), tool)  # not filed under inventory: cached
    assert tool.calls == ["list_devices", "list_sites", "deploy", "list_devices"]


async def test_a_write_taken_into_the_background_drops_them_again_when_its_work_ends() -> None:
    cache, tool = middleware(), Tool()
    work_context: list[contextvars.Context] = []

    async def becomes_a_task(context: MiddlewareContext[mt.CallToolRequestParams]) -> ToolResult:
        work_context.append(contextvars.copy_context())  # as a task store does
        return ToolResult(structured_content={"task": "working"})

    await cache.on_call_tool(call("deploy"), becomes_a_task)
    await cache.on_call_tool(call("list_devices"), tool)  # read while the deployment runs
    await cache.on_call_tool(call("list_devices"), tool)
    assert tool.calls == ["list_devices"]
    # The deployment's work ends, in the task the store ran it in (the call's context).
    await asyncio.create_task(run_when_work_ends(), context=work_context[0])
    await cache.on_call_tool(call("list_devices"), tool)
    assert tool.calls == ["list_devices", "list_devices"]


async def test_entries_belong_to_one_backend() -> None:
    shared = InMemoryReadCache()

    def on(backend: str) -> ReadCacheMiddleware:
        async def identity() -> str:
            return backend

        return ReadCacheMiddleware(shared, server="cc", specs=SPECS, identity=identity)

    tool = Tool()
    await on("https://cc-1.example").on_call_tool(call("list_devices"), tool)
    await on("https://cc-2.example").on_call_tool(call("list_devices"), tool)
    await on("https://cc-2.example").on_call_tool(call("deploy"), tool)
    await on("https://cc-1.example").on_call_tool(call("list_devices"), tool)  # still cached
    assert tool.calls == ["list_devices", "list_devices", "deploy"]


async def test_hits_and_misses_are_counted_per_tool_on_metrics() -> None:
    metrics = PlatformMetrics("cc")
    cache, tool = middleware(metrics=metrics), Tool()
    for _ in range(3):
        await cache.on_call_tool(call("list_devices", limit=5), tool)

    def count(outcome: str) -> float:
        labels = {"tool": "list_devices", "outcome": outcome}
        return metrics.registry.get_sample_value("mcp_tool_cache_total", labels) or 0.0

    assert (count("miss"), count("hit")) == (1.0, 2.0)
