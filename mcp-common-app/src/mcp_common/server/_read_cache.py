"""The shared read cache behind tools that declare `cache_ttl`: Redis, or memory without it.

Entries are bytes under a key with a time to live, each filed under resource tags (e.g.
`inventory`); invalidating a tag drops every entry filed under it, which is how a write
through the platform makes the reads of the same resource fresh again. Redis makes the
cache shared by every worker process and replica; the in-memory one serves a single
process (development, or Redis absent). Both fail open: a cache that cannot answer is a
miss, never an error.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from mcp_common._redis import cancels_kept
from mcp_common.observability._logging import get_logger

__all__ = ["InMemoryReadCache", "ReadCache", "RedisReadCache"]

_log = get_logger(__name__)


@runtime_checkable
class ReadCache(Protocol):
    """Bytes by key with a TTL, filed under tags that can be invalidated together."""

    async def get(self, key: str) -> bytes | None:
        """The entry, or None (absent, expired, or the cache unreachable)."""
        ...

    async def put(self, key: str, value: bytes, ttl: float, tags: Iterable[str]) -> None:
        """Store `value` for `ttl` seconds, filed under `tags`."""
        ...

    async def invalidate(self, tags: Iterable[str]) -> None:
        """Drop every entry filed under any of `tags`."""
        ...


class InMemoryReadCache:
    """One process's cache: bounded (least recently used out first), TTL per entry."""

    def __init__(self, max_entries: int = 10_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be >= 1")
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._tags: dict[str, set[str]] = {}

    async def get(self, key: str) -> bytes | None:
        """The entry while fresh."""
        hit = self._entries.get(key)
        if hit is None:
            return None
        if hit[0] <= time.monotonic():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return hit[1]

    async def put(self, key: str, value: bytes, ttl: float, tags: Iterable[str]) -> None:
        """Store, evicting the least recently used entry past `max_entries`."""
        self._entries[key] = (time.monotonic() + ttl, value)
        self._entries.move_to_end(key)
        for tag in tags:
            self._tags.setdefault(tag, set()).add(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def invalidate(self, tags: Iterable[str]) -> None:
        """Drop the tags' entries."""
        for tag in tags:
            for key in self._tags.pop(tag, set()):
                self._entries.pop(key, None)

    async def aclose(self) -> None:
        """Nothing to release."""


class RedisReadCache:
    """Shared by every process and replica: `SET key EX ttl` plus one Redis set per tag.

    A read is one GET. A store is one pipelined round trip (SET, SADD to each tag's set,
    which expires with the longest entry in it). An invalidation reads the tag's set and
    deletes its keys and the set. A call cancelled while it waits for Redis ends cancelled
    (`cancels_kept`), not as a miss.
    """

    def __init__(self, redis: Any, *, prefix: str = "mcp:cache:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def get(self, key: str) -> bytes | None:
        """The entry, or None (also when Redis does not answer)."""
        try:
            with cancels_kept():
                value = await self._redis.get(self._prefix + key)
        except Exception as exc:
            self._warn("get", exc)
            return None
        return bytes(value) if value is not None else None

    async def put(self, key: str, value: bytes, ttl: float, tags: Iterable[str]) -> None:
        """Store with its TTL and file it under its tags."""
        seconds = max(1, int(ttl + 0.999))
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.set(self._prefix + key, value, ex=seconds)
            for tag in tags:
                name = f"{self._prefix}tag:{tag}"
                pipe.sadd(name, self._prefix + key)
                pipe.expire(name, seconds, gt=True)
                pipe.expire(name, seconds, nx=True)
            with cancels_kept():
                await pipe.execute()
        except Exception as exc:
            self._warn("put", exc)

    async def invalidate(self, tags: Iterable[str]) -> None:
        """Delete every key filed under the tags, and the tags' sets."""
        for tag in tags:
            name = f"{self._prefix}tag:{tag}"
            try:
                with cancels_kept():
                    keys = await self._redis.smembers(name)
                    await self._redis.delete(name, *keys)
            except Exception as exc:
                self._warn("invalidate", exc)

    async def aclose(self) -> None:
        """Close the Redis connection pool."""
        await self._redis.aclose()

    def _warn(self, operation: str, exc: Exception) -> None:
        _log.warning(
            "read cache unavailable (%s), going to the backend",
            operation,
            extra={"event.action": "cache.error", "error.type": type(exc).__name__},
        )
