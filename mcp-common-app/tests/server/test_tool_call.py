"""What a middleware asks to happen when a call's work ends later, as a background task."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import pytest
from fastmcp import Client, FastMCP
from fastmcp.server.middleware import CallNext, MiddlewareContext

from mcp_common.server import (
    ToolCallContext,
    ToolCallMiddleware,
    ToolCallNext,
    run_when_work_ends,
    when_work_ends,
)


async def test_work_taken_into_the_background_runs_what_the_middlewares_asked_when_it_ends() -> (
    None
):
    ended: list[str] = []

    async def cache_drop() -> None:
        ended.append("cache")

    async def other() -> None:
        ended.append("other")

    async def work() -> None:
        try:
            await asyncio.sleep(0)
        finally:
            await run_when_work_ends()

    with when_work_ends(cache_drop), when_work_ends(other):
        context = contextvars.copy_context()  # as a task store copies the caller's context
    background = asyncio.create_task(work(), context=context)
    assert ended == []  # nothing until the work ends
    await background
    assert ended == ["cache", "other"]


async def test_outside_the_block_nothing_is_asked() -> None:
    ended: list[str] = []

    async def cache_drop() -> None:
        ended.append("cache")

    with when_work_ends(cache_drop):
        pass
    await run_when_work_ends()
    assert ended == []


async def test_a_failing_callback_fails_open_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ended: list[str] = []

    async def broken() -> None:
        raise RuntimeError("redis went away: secret=hunter2")

    async def cache_drop() -> None:
        ended.append("cache")

    with when_work_ends(broken), when_work_ends(cache_drop):
        await run_when_work_ends()
    assert ended == ["cache"]
    assert "end-of-work callback failed" in caplog.text
    assert "hunter2" not in caplog.text


class _Recording(ToolCallMiddleware):
    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    async def on_call_tool(self, context: ToolCallContext, call_next: ToolCallNext) -> Any:
        self.seen.append(f"call_tool {context.message.name}")
        return await call_next(context)

    async def on_list_tools(
        self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]
    ) -> Any:
        self.seen.append("list_tools")
        return await call_next(context)


class _WithRequest(_Recording):
    async def on_request(
        self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]
    ) -> Any:
        self.seen.append(f"request {context.method}")
        return await call_next(context)


class _WithMessage(_Recording):
    async def on_message(
        self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]
    ) -> Any:
        self.seen.append(f"message {context.method}")
        return await call_next(context)


async def _calls_through(middleware: ToolCallMiddleware) -> str:
    mcp: FastMCP[Any] = FastMCP("t")

    @mcp.tool
    def echo(text: str) -> str:
        return text

    mcp.add_middleware(middleware)
    async with Client(mcp) as client:
        await client.list_tools()
        result = await client.call_tool("echo", {"text": "hi"})
    return str(result.data)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (_Recording, ["list_tools", "call_tool echo"]),
        (
            _WithRequest,
            ["request tools/list", "list_tools", "request tools/call", "call_tool echo"],
        ),
        (
            _WithMessage,
            ["message tools/list", "list_tools", "message tools/call", "call_tool echo"],
        ),
    ],
)
async def test_a_tool_call_runs_each_hook_of_a_chain_middleware_once_in_order(
    kind: type[_Recording], expected: list[str]
) -> None:
    seen: list[str] = []
    assert await _calls_through(kind(seen)) == "hi"
    assert [
        entry for entry in seen if "discover" not in entry and "initialize" not in entry
    ] == expected
