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
