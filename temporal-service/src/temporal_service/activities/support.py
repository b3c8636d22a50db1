"""What every activity shares: the tools, refusals vs retries, log context, heartbeats."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextvars import ContextVar
from typing import TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from mcp_common.observability import log_context

from .platform import PlatformTools, ToolCallFailed

__all__ = [
    "ActivitiesBase",
    "call_tool",
    "current_delegation",
    "heartbeating",
    "refusal",
    "serving",
]

T = TypeVar("T")
# The person's token of the workflow an activity serves (the subject token of exchanges).
_delegation: ContextVar[str] = ContextVar("temporal_service_delegation", default="")


def current_delegation() -> str:
    """The subject token of the workflow this activity serves ("" outside `serving`)."""
    return _delegation.get()


def refusal(exc: ToolCallFailed) -> Exception:
    """Retryable failures go back as they are (Temporal retries); refusals stop the retries."""
    if exc.retryable:
        return exc
    return ApplicationError(str(exc), type="ToolCallRefused", non_retryable=True)


async def call_tool(awaitable: Awaitable[T]) -> T:
    """Await a PlatformTools call, turning a refusal into a non-retryable error."""
    try:
        return await awaitable
    except ToolCallFailed as exc:
        raise refusal(exc) from None


@contextlib.contextmanager
def serving(on_behalf_of: str, delegation: str = "") -> Iterator[None]:
    """Log lines name the workflow and the person served; tool calls exchange `delegation`."""
    info = activity.info()
    token = _delegation.set(delegation)
    try:
        with log_context(
            **{"workflow.id": info.workflow_id, "activity.type": info.activity_type},
            on_behalf_of=on_behalf_of,
        ):
            yield
    finally:
        _delegation.reset(token)


@contextlib.asynccontextmanager
async def heartbeating() -> AsyncIterator[None]:
    """Heartbeat while a long call runs, so a dead worker is noticed within the timeout."""
    timeout = activity.info().heartbeat_timeout
    if timeout is None:
        yield
        return
    every = max(timeout.total_seconds() / 3, 0.1)

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(every)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class ActivitiesBase:
    """Holds the PlatformTools every activity of the worker shares."""

    def __init__(self, tools: PlatformTools) -> None:
        if not isinstance(tools, PlatformTools):
            raise ValueError("tools must implement PlatformTools")
        self._tools = tools
