"""A tool call as each middleware of the chain gets it: its context, the rest of the chain,
and what must also happen when the call's work ends later, as a task in the background.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any, ClassVar, TypeAlias

import mcp_types as mt
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools.base import ToolResult

from mcp_common.observability._logging import get_logger

__all__ = [
    "ToolCallContext",
    "ToolCallMiddleware",
    "ToolCallNext",
    "run_when_work_ends",
    "when_work_ends",
]

_log = get_logger(__name__)

ToolCallContext: TypeAlias = MiddlewareContext[mt.CallToolRequestParams]
"""What `on_call_tool` gets: the call's message (tool name, arguments) and its context."""

ToolCallNext: TypeAlias = CallNext[mt.CallToolRequestParams, ToolResult]
"""The rest of the chain (then the tool itself), answering with the tool's result."""


class ToolCallMiddleware(Middleware):
    """A middleware of the platform's chain: a tool call goes straight to its hooks.

    FastMCP's dispatch wraps `on_message`, `on_request` and the typed hook of every
    middleware in closures for every message; for the chain's middleware that cost ~0.06 ms
    of CPU per tool call (five layers, measured on a trivial tool). Here a `tools/call` goes
    to `on_request` (when the subclass has one) and `on_call_tool` directly; every other
    message, and any subclass with an `on_message` hook, take FastMCP's dispatch as usual
    (overriding `__call__` is FastMCP's documented way to handle messages directly: it runs
    once per message).
    """

    _direct: ClassVar[bool] = True
    _wraps_request: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._direct = cls.on_message is Middleware.on_message
        cls._wraps_request = cls.on_request is not Middleware.on_request

    async def __call__(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        if context.method != "tools/call" or not self._direct:
            return await super().__call__(context, call_next)
        if self._wraps_request:
            return await self.on_request(context, partial(self.on_call_tool, call_next=call_next))
        return await self.on_call_tool(context, call_next)


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
