"""A cancelled backend call ends cancelled: never a timeout, never retried.

The whole production path (`make_http_client`: ResilientTransport with its per-attempt
deadline over PooledTransport, aiohttp's pool) calls a raw socket server on 127.0.0.1 that
reads each request and never answers. The cancel of the calling task (an MCP task's
`tasks/cancel`) is placed on purpose: while the request waits, or in the same event-loop
iteration as the attempt's own deadline, before or after it (the loop is held past both, so
they run together, in that order).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from mcp_common.http import PooledTransport, make_http_client

LIMIT = 0.5  # the per-attempt deadline (the client's timeout)


class SilentServer:
    """Reads requests and never answers; counts the requests that reached it."""

    def __init__(self) -> None:
        self.requests = 0
        self.arrived = asyncio.Event()
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                self.requests += 1
                self.arrived.set()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()


class CancelAtDeadline(httpx.AsyncBaseTransport):
    """PooledTransport, which on the first attempt schedules a cancel of the calling task
    `offset` s from the attempt's deadline, and holds the loop past both so the deadline and
    the cancel run in the same iteration."""

    def __init__(self, offset: float | None) -> None:
        self.inner = PooledTransport()
        self.offset = offset
        self.attempts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        task, loop = asyncio.current_task(), asyncio.get_running_loop()
        if self.attempts == 1 and self.offset is not None and task is not None:
            # The deadline was set a few microseconds ago, to the loop's time then + LIMIT.
            deadline = loop.time() + LIMIT
            loop.call_at(deadline - 0.1, time.sleep, 0.3)  # blocks the loop past both
            loop.call_at(deadline + self.offset, task.cancel)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest_asyncio.fixture
async def server() -> AsyncIterator[tuple[SilentServer, str]]:
    silent = SilentServer()
    url = await silent.start()
    yield silent, url
    await silent.stop()


async def call(url: str, transport: CancelAtDeadline) -> Any:
    # Retries on (the default): a GET that timed out or failed would be sent again.
    client = make_http_client("backend", base_url=url, timeout=LIMIT, transport=transport)
    try:
        return await client.get("/task/1")
    finally:
        await client.aclose()


@pytest.mark.parametrize("offset", [-0.02, 0.02], ids=["cancel-then-deadline",
                                                       "deadline-then-cancel"])  # fmt: skip
async def test_a_cancel_arriving_with_the_attempts_deadline_is_a_cancel_not_a_timeout(
    server: tuple[SilentServer, str], offset: float
) -> None:
    silent, url = server
    transport = CancelAtDeadline(offset)
    caller = asyncio.create_task(call(url, transport))
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert caller.cancelled()
    await asyncio.sleep(0.3)  # a retry, after its backoff, would have reached the server
    assert (transport.attempts, silent.requests) == (1, 1)


async def test_a_cancelled_call_in_flight_is_never_retried(
    server: tuple[SilentServer, str],
) -> None:
    silent, url = server
    transport = CancelAtDeadline(None)
    caller = asyncio.create_task(call(url, transport))
    await silent.arrived.wait()
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await asyncio.sleep(0.3)  # a retry, after its backoff, would have reached the server
    assert (transport.attempts, silent.requests) == (1, 1)
