"""Rate limits per principal x tool: in memory, and shared through a real Redis.

Redis runs on 127.0.0.1:6379 on this machine and in CI: the `redis_url` fixture (root
conftest) fails these tests when it is down, and no test needing it may be skipped.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as redis

from mcp_common.server import InMemoryRateLimiter, RedisRateLimiter

from ..conftest import CancelAfterSend


async def test_in_memory_allows_the_budget_then_says_how_long_to_wait() -> None:
    limiter = InMemoryRateLimiter(per_minute=3)
    assert [await limiter.hit("alice:x") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = await limiter.hit("alice:x")
    assert 0 < wait <= 20.5  # one token comes back every 60/3 s
    assert await limiter.hit("bob:x") == 0.0  # buckets are per key


async def test_in_memory_waiting_the_time_it_says_is_enough() -> None:
    limiter = InMemoryRateLimiter(per_minute=600)  # a token back every 0.1 s
    while (wait := await limiter.hit("alice:x")) == 0:
        pass  # spend the burst
    assert 0 < wait <= 0.1
    await asyncio.sleep(wait + 0.005)
    assert await limiter.hit("alice:x") == 0.0


def test_a_zero_budget_is_refused_by_both_limiters() -> None:
    with pytest.raises(ValueError, match="per_minute"):
        InMemoryRateLimiter(per_minute=0)
    with pytest.raises(ValueError, match="per_minute"):
        RedisRateLimiter(redis.Redis(), per_minute=0)


# --- Redis ----------------------------------------------------------------------------------


@pytest.fixture
async def connect(redis_url: str) -> AsyncIterator[Callable[[], redis.Redis]]:
    """Open Redis clients (one per simulated replica); all are closed after the test."""
    opened: list[redis.Redis] = []

    def _connect() -> redis.Redis:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=1)
        opened.append(client)
        return client

    yield _connect
    for client in opened:
        await client.aclose()


async def inside_one_window() -> None:
    """Redis counts in fixed one-minute windows: do not start a test at a window's edge."""
    left = 60 - time.time() % 60
    if left < 2:
        await asyncio.sleep(left + 0.05)


async def test_replicas_share_one_budget_through_redis(
    connect: Callable[[], redis.Redis],
) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"
    # Two replicas: each its own limiter and its own connection pool.
    a = RedisRateLimiter(connect(), per_minute=2, prefix=prefix)
    b = RedisRateLimiter(connect(), per_minute=2, prefix=prefix)
    await inside_one_window()
    assert await a.hit("alice:t") == 0.0
    assert await b.hit("alice:t") == 0.0
    wait = await a.hit("alice:t")  # the third call, from either replica, waits ...
    assert 0 < wait <= 60  # ... until the next window
    assert await b.hit("bob:t") == 0.0  # budgets are per key


async def test_redis_counts_expire_so_keys_do_not_pile_up(
    connect: Callable[[], redis.Redis],
) -> None:
    client = connect()
    prefix = f"test:{uuid.uuid4().hex}:"
    await RedisRateLimiter(client, per_minute=5, prefix=prefix).hit("alice:t")
    (name,) = [key async for key in client.scan_iter(match=f"{prefix}*")]
    assert 60 <= await client.ttl(name) <= 120


async def test_redis_unreachable_fails_open_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    limiter = RedisRateLimiter(client, per_minute=1)
    try:
        assert [await limiter.hit("alice:t") for _ in range(3)] == [0.0, 0.0, 0.0]
    finally:
        await client.aclose()
    warnings = [r for r in caplog.records if r.getMessage() == "rate limiter unavailable, allowing"]
    assert len(warnings) == 3
    assert vars(warnings[0])["error.type"] == "ConnectionError"


async def test_a_process_reserves_calls_a_batch_at_a_time_and_spends_them_locally(
    connect: Callable[[], redis.Redis],
) -> None:
    client = connect()
    prefix = f"test:{uuid.uuid4().hex}:"
    limiter = RedisRateLimiter(client, per_minute=1000, prefix=prefix)  # batch: 1% -> 10
    await inside_one_window()
    assert [await limiter.hit("alice:t") for _ in range(10)] == [0.0] * 10
    (name,) = [key async for key in client.scan_iter(match=f"{prefix}*")]
    assert int(await client.get(name)) == 10  # one reservation for ten calls
    assert await limiter.hit("alice:t") == 0.0
    assert int(await client.get(name)) == 20  # the eleventh call reserved the next ten


async def test_reservations_never_let_replicas_exceed_the_shared_budget(
    connect: Callable[[], redis.Redis],
) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"
    a = RedisRateLimiter(connect(), per_minute=20, prefix=prefix, batch=5)
    b = RedisRateLimiter(connect(), per_minute=20, prefix=prefix, batch=5)
    await inside_one_window()
    allowed = 0
    for k in range(40):
        if await (a if k % 2 else b).hit("alice:t") == 0.0:
            allowed += 1
    assert allowed == 20


async def test_small_budgets_count_every_call_in_redis(
    connect: Callable[[], redis.Redis],
) -> None:
    client = connect()
    prefix = f"test:{uuid.uuid4().hex}:"
    limiter = RedisRateLimiter(client, per_minute=60, prefix=prefix)  # 1% of 60 < 1 -> 1
    await inside_one_window()
    await limiter.hit("alice:t")
    await limiter.hit("alice:t")
    (name,) = [key async for key in client.scan_iter(match=f"{prefix}*")]
    assert int(await client.get(name)) == 2


def test_a_batch_outside_the_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="batch"):
        RedisRateLimiter(redis.Redis(), per_minute=5, batch=6)
    with pytest.raises(ValueError, match="batch"):
        RedisRateLimiter(redis.Redis(), per_minute=5, batch=0)


async def test_reservations_made_by_concurrent_calls_add_up_and_none_is_lost(
    connect: Callable[[], redis.Redis],
) -> None:
    client = connect()
    prefix = f"test:{uuid.uuid4().hex}:"
    limiter = RedisRateLimiter(client, per_minute=10_000, prefix=prefix)  # batch 10
    await inside_one_window()

    async def user() -> None:
        for _ in range(10):
            assert await limiter.hit("alice:t") == 0.0

    await asyncio.gather(*(user() for _ in range(16)))  # 160 calls, many reserving at once
    (name,) = [key async for key in client.scan_iter(match=f"{prefix}*")]
    reserved = int(await client.get(name))
    # Every call reserved beyond the 160 made is spent locally before Redis is asked again.
    for _ in range(reserved - 160):
        assert await limiter.hit("alice:t") == 0.0
        assert int(await client.get(name)) == reserved
    await limiter.hit("alice:t")
    assert int(await client.get(name)) == reserved + 10


async def test_a_call_cancelled_as_its_count_reaches_redis_ends_cancelled(
    racing_redis: tuple[redis.Redis, CancelAfterSend],
) -> None:
    client, after_send = racing_redis
    limiter = RedisRateLimiter(client, per_minute=1, prefix=f"test:{uuid.uuid4().hex}:")
    assert await limiter.hit("alice:warm-up") == 0.0  # the script is loaded, the pool open
    caller = await after_send.race(limiter.hit("alice:t"))
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert after_send.cancelled == 1  # the race was reached: cancelled right after the send
    assert caller.cancelled()  # not admitted as if nothing happened
