"""Fixtures for more than one concern of mcp_common: a Redis client that races a cancel.

redis-py sends every command under `asyncio.wait_for(..., socket_timeout)`, and on Python
3.11 `wait_for` returns the result and drops a cancel that arrives just after the command
was sent (CPython gh-86296). `racing_redis` is a client built as the platform builds it
(`redis_client`) whose connection cancels a chosen task at exactly that moment, so the race
is reached on purpose, never by timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterable
from typing import Any

import pytest_asyncio
import redis.asyncio as redis

from mcp_common._redis import redis_client


class CancelAfterSend:
    """Cancels `target` once, right after the next command reaches the socket."""

    def __init__(self) -> None:
        self.target: asyncio.Task[Any] | None = None
        self.cancelled = 0

    def __call__(self) -> None:
        if self.target is not None:
            self.target.cancel()
            self.target, self.cancelled = None, self.cancelled + 1

    async def race(self, call: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start `call` (a coroutine) as a task to be cancelled just after its next send."""
        task = asyncio.create_task(call)
        self.target = task
        return task


@pytest_asyncio.fixture
async def racing_redis(redis_url: str) -> AsyncIterator[tuple[redis.Redis, CancelAfterSend]]:
    """A Redis client whose connection calls the hook right after it sends a command."""
    after_send = CancelAfterSend()

    class Connection(redis.Connection):
        async def _send_packed_command(self, command: Iterable[bytes]) -> None:
            await super()._send_packed_command(command)
            after_send()  # in wait_for's inner task: the command is sent, wait_for not back

    client = redis_client(redis_url, connection_class=Connection)
    yield client, after_send
    await client.aclose()
