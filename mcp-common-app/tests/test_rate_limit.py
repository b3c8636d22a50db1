"""Rate limits per principal x tool: in memory, and shared through a real Redis."""

import uuid

import pytest

from mcp_common.rate_limit import InMemoryRateLimiter, RedisRateLimiter


async def test_in_memory_allows_the_budget_then_says_how_long_to_wait() -> None:
    limiter = InMemoryRateLimiter(per_minute=3)
    assert [await limiter.hit("alice:x") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = await limiter.hit("alice:x")
    assert 0 < wait <= 20.5
    assert await limiter.hit("bob:x") == 0.0  # buckets are per key


def test_in_memory_refuses_a_zero_budget() -> None:
    with pytest.raises(ValueError):
        InMemoryRateLimiter(per_minute=0)


@pytest.fixture
async def redis_client():
    redis = pytest.importorskip("redis.asyncio")
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
    try:
        await client.ping()
    except Exception:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    yield client
    await client.aclose()


async def test_redis_limit_is_shared_between_limiters(redis_client) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"
    a = RedisRateLimiter(redis_client, per_minute=2, prefix=prefix)
    b = RedisRateLimiter(redis_client, per_minute=2, prefix=prefix)
    assert await a.hit("alice:t") == 0.0
    assert await b.hit("alice:t") == 0.0
    assert await a.hit("alice:t") > 0  # the third call, from either replica, waits


async def test_redis_unreachable_fails_open() -> None:
    redis = pytest.importorskip("redis.asyncio")
    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    limiter = RedisRateLimiter(client, per_minute=1)
    assert await limiter.hit("alice:t") == 0.0
    await client.aclose()
