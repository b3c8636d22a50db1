"""The platform's Redis client and the guard that keeps a cancel redis-py would drop."""

from __future__ import annotations

import asyncio

import pytest

from mcp_common._redis import cancels_kept, redis_client


async def swallowing(cancelled: asyncio.Event, *, then_raise: bool = False) -> str:
    """What redis-py does on 3.11 when a cancel lands just after a send: carry on."""
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        cancelled.set()
    if then_raise:
        raise ConnectionError("the command failed anyway")
    return "answered"


@pytest.mark.parametrize("then_raise", [False, True])
async def test_a_cancel_swallowed_inside_the_block_is_raised_at_its_end(then_raise: bool) -> None:
    cancelled = asyncio.Event()

    async def call() -> str:
        with cancels_kept():
            return await swallowing(cancelled, then_raise=then_raise)

    task = asyncio.create_task(call())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cancelled.is_set()  # the block saw the cancel and swallowed it


async def test_a_block_nobody_cancels_answers_or_raises_as_it_would() -> None:
    with cancels_kept():
        assert await asyncio.sleep(0, "answered") == "answered"
    with pytest.raises(ConnectionError), cancels_kept():
        raise ConnectionError("Redis is down")


async def test_a_timeout_inside_the_block_is_not_taken_for_a_cancel() -> None:
    # asyncio.timeout cancels the task and withdraws that cancel (uncancel) when it fires.
    with pytest.raises(TimeoutError), cancels_kept():
        async with asyncio.timeout(0.01):
            await asyncio.sleep(10)


async def test_the_client_waits_half_a_second_at_most_and_takes_extra_options() -> None:
    client = redis_client("redis://127.0.0.1:6379/3", health_check_interval=7)
    try:
        options = client.connection_pool.connection_kwargs
        assert (options["socket_timeout"], options["socket_connect_timeout"]) == (0.5, 0.5)
        assert (options["db"], options["health_check_interval"]) == (3, 7)
    finally:
        await client.aclose()
