"""A tool call as each middleware of the chain gets it: its context, the rest of the chain,
and what must also happen when the call's work ends later, as a task in the background.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeAlias

import mcp_types as mt
from fastmcp.server.middleware import CallNext, MiddlewareContext
from fastmcp.tools.base import ToolResult

from mcp_common.observability._logging import get_logger

__all__ = ["ToolCallContext", "ToolCallNext", "run_when_work_ends", "when_work_ends"]

_log = get_logger(__name__)

ToolCallContext: TypeAlias = MiddlewareContext[mt.CallToolRequestParams]
"""What `on_call_tool` gets: the call's message (tool name, arguments) and its context."""

ToolCallNext: TypeAlias = CallNext[mt.CallToolRequestParams, ToolResult]
"""The rest of the chain (then the tool itself), answering with the tool's result."""

WorkEnded = Callable[[], Awaitable[None]]

_when_work_ends: ContextVar[tuple[WorkEnded, ...]] = ContextVar("mcp_when_work_ends", default=())


@contextmanager
def when_work_ends(callback: WorkEnded) -> Iterator[None]:
    """Within: a task store that takes this call's work into the background (the call then
    answers with a task at once) runs `callback` when that work ends, whatever its outcome.

    A middleware that acts once a call is done (the read cache drops what a write changed)
    does so when its `call_next` returns, and, for a call that became a task, again here.
    """
    token = _when_work_ends.set((*_when_work_ends.get(), callback))
    try:
        yield
    finally:
        _when_work_ends.reset(token)


async def run_when_work_ends() -> None:
    """For task stores, as the background work of a call ends (in that call's context): run
    what the middlewares asked for. Each callback fails open (logged, never the task's
    outcome)."""
    for callback in _when_work_ends.get():
        try:
            await callback()
        except Exception as exc:
            _log.warning(
                "end-of-work callback failed",
                extra={"event.action": "task.work_ended", "error.type": type(exc).__name__},
            )
