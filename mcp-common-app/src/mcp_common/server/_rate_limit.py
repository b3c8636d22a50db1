"""Per principal x tool rate limits: in memory, or shared across replicas through Redis."""

from __future__ import annotations

import time
from typing import Any, Protocol, runtime_checkable

from mcp_common.observability._logging import get_logger

__all__ = ["InMemoryRateLimiter", "RateLimiter", "RedisRateLimiter"]

_log = get_logger(__name__)


@runtime_checkable
class RateLimiter(Protocol):
    """Answers how long to wait before `key` may act again (0 = allowed now)."""

    async def hit(self, key: str) -> float:
        """Count one call for `key`; return 0 when allowed, else seconds to wait."""
        ...


class InMemoryRateLimiter:
    """Token bucket per key: `per_minute` calls, bursts up to the same number."""

    def __init__(self, per_minute: int, *, max_keys: int = 100_000) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be >= 1")
        self._rate = per_minute / 60.0
        self._capacity = float(per_minute)
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    async def hit(self, key: str) -> float:
        """Take one token from the key's bucket."""
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (self._capacity, now))
        tokens = min(self._capacity, tokens + (now - last) * self._rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self._rate
        if len(self._buckets) >= self._max_keys and key not in self._buckets:
            self._buckets.clear()  # bounded memory; a reset only ever allows more
        self._buckets[key] = (tokens - 1.0, now)
        return 0.0


class RedisRateLimiter:
    """Fixed one-minute windows in Redis (INCR + EXPIRE), shared by every replica.

    Fails open: when Redis is unreachable the call is allowed and a warning is logged,
    because a rate limit protects capacity, not confidentiality.
    """

    def __init__(self, redis: Any, per_minute: int, *, prefix: str = "mcp:rl:") -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be >= 1")
        self._redis = redis
        self._limit = per_minute
        self._prefix = prefix

    async def hit(self, key: str) -> float:
        """Count one call in the current window."""
        now = time.time()
        window = int(now // 60)
        name = f"{self._prefix}{key}:{window}"
        try:
            pipe = self._redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, 120)
            count, _ = await pipe.execute()
        except Exception as exc:
            _log.warning(
                "rate limiter unavailable, allowing",
                extra={"event.action": "ratelimit", "error.type": type(exc).__name__},
            )
            return 0.0
        if int(count) > self._limit:
            return float((window + 1) * 60 - now)
        return 0.0
