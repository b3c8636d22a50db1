"""The shared read cache: entries by key with a TTL, filed under tags dropped together.

The same specification runs against the in-memory cache and a real Redis (the `redis_url`
fixture fails these tests when Redis is down); a Redis that cannot answer is a miss.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from mcp_common.server import InMemoryReadCache, ReadCache, RedisReadCache

from ..conftest import CancelAfterSend


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[ReadCache]:
    if request.param == "memory":
        yield InMemoryReadCache()
        return
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=1)
    yield RedisReadCache(client, prefix=f"test:{uuid.uuid4().hex}:")
    await client.aclose()


async def test_an_entry_is_served_until_its_ttl_ends(cache: ReadCache) -> None:
    await cache.put("devices", b"[1, 2]", ttl=1, tags=["inventory"])
    assert await cache.get("devices") == b"[1, 2]"
    assert await cache.get("sites") is None
    await asyncio.sleep(1.2)
    assert await cache.get("devices") is None


async def test_invalidating_a_tag_drops_every_entry_filed_under_it_and_only_those(
    cache: ReadCache,
) -> None:
    await cache.put("devices", b"d", ttl=30, tags=["inventory"])
    await cache.put("device-1", b"1", ttl=30, tags=["inventory", "config"])
    await cache.put("sites", b"s", ttl=30, tags=["sites"])
    await cache.invalidate(["inventory"])
    assert await cache.get("devices") is None
    assert await cache.get("device-1") is None
    assert await cache.get("sites") == b"s"
    await cache.invalidate(["nothing-filed"])  # no error for an empty tag
    assert await cache.get("sites") == b"s"


async def test_an_entry_stored_again_after_an_invalidation_is_served(cache: ReadCache) -> None:
    await cache.put("devices", b"old", ttl=30, tags=["inventory"])
    await cache.invalidate(["inventory"])
    await cache.put("devices", b"new", ttl=30, tags=["inventory"])
    assert await cache.get("devices") == b"new"


async def test_the_in_memory_cache_drops_the_least_recently_used_past_its_bound() -> None:
    cache = InMemoryReadCache(max_entries=2)
    await cache.put("a", b"a", ttl=30, tags=[])
    await cache.put("b", b"b", ttl=30, tags=[])
    assert await cache.get("a") == b"a"  # now b is the least recently used
    await cache.put("c", b"c", ttl=30, tags=[])
    assert (await cache.get("a"), await cache.get("b"), await cache.get("c")) == (b"a", None, b"c")
    with pytest.raises(ValueError, match="max_entries"):
        InMemoryReadCache(max_entries=0)


async def test_a_redis_that_cannot_answer_is_a_miss_with_a_warning_never_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # No retries: each operation fails at once, as after redis-py's own retries in service.
    down = redis.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    cache = RedisReadCache(down)
    await cache.put("devices", b"d", ttl=30, tags=["inventory"])
    assert await cache.get("devices") is None
    await cache.invalidate(["inventory"])
    await cache.aclose()
    assert "read cache unavailable" in caplog.text


async def test_a_call_cancelled_as_it_reaches_redis_ends_cancelled_not_as_a_miss(
    racing_redis: tuple[redis.Redis, CancelAfterSend],
) -> None:
    client, after_send = racing_redis
    cache = RedisReadCache(client, prefix=f"test:{uuid.uuid4().hex}:")
    await cache.put("devices", b"d", ttl=30, tags=["inventory"])  # the pool is open
    for call in (
        cache.get("devices"),
        cache.put("sites", b"s", ttl=30, tags=["sites"]),
        cache.invalidate(["inventory"]),
    ):
        caller = await after_send.race(call)
        with pytest.raises(asyncio.CancelledError):
            await caller
        assert caller.cancelled()
    assert after_send.cancelled == 3  # each race was reached: cancelled right after a send
