"""Per principal x tool rate limits: in memory, or shared across replicas through Redis."""

from __future__ import annotations

import time
from typing import Any, Protocol, runtime_checkable

from mcp_common._redis import cancels_kept
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


# One round trip: add `ARGV[1]` calls to the window's count, give the key its expiry when
# the window is new, answer the count.
_RESERVE = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return count
"""


class RedisRateLimiter:
    """Fixed one-minute windows in Redis, shared by every replica and worker process.

    Each process reserves calls from the shared count a few at a time (`batch`, by default
    1% of the budget, at most 10) and spends them locally, so a Redis round trip (about
    0.1 ms of CPU in redis-py) is paid once per batch, not once per call. The shared count
    is never exceeded: a reservation counts in Redis before any of it is spent. What a
    process reserved and has not spent when the window ends is lost, so a key may be
    limited up to `batch - 1` calls per process early; with small budgets the batch is 1
    and every call counts in Redis.

    Fails open: when Redis is unreachable the call is allowed and a warning is logged,
    because a rate limit protects capacity, not confidentiality. A call cancelled while it
    waits for Redis ends cancelled (`cancels_kept`), never admitted.
    """

    def __init__(
        self,
        redis: Any,
        per_minute: int,
        *,
        prefix: str = "mcp:rl:",
        batch: int | None = None,
        max_keys: int = 100_000,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be >= 1")
        if batch is not None and not 1 <= batch <= per_minute:
            raise ValueError(f"batch must be between 1 and per_minute, got {batch}")
        self._redis = redis
        self._limit = per_minute
        self._prefix = prefix
        self._batch = batch if batch is not None else max(1, min(10, per_minute // 100))
        self._script = redis.register_script(_RESERVE)
        self._max_keys = max_keys
        self._reserved: dict[str, tuple[int, int]] = {}  # key -> (window, calls left)

    async def hit(self, key: str) -> float:
        """Count one call in the current window (from this process's reservation if any)."""
        now = time.time()
        window = int(now // 60)
        held = self._reserved.get(key)
        if held is not None and held[0] == window and held[1] > 0:
            self._reserved[key] = (window, held[1] - 1)
            return 0.0
        name = f"{self._prefix}{key}:{window}"
        try:
            with cancels_kept():
                count = int(await self._script(keys=[name], args=[self._batch, 120]))
        except Exception as exc:
            _log.warning(
                "rate limiter unavailable, allowing",
                extra={"event.action": "ratelimit", "error.type": type(exc).__name__},
            )
            return 0.0
        granted = min(self._batch, self._limit - (count - self._batch))
        if granted <= 0:
            return float((window + 1) * 60 - now)
        if len(self._reserved) >= self._max_keys and key not in self._reserved:
            self._reserved.clear()  # bounded memory; dropping reservations only limits earlier
        # Calls running at once may each have reserved: what they got adds up.
        held = self._reserved.get(key)
        left = held[1] if held is not None and held[0] == window else 0
        self._reserved[key] = (window, left + granted - 1)
        return 0.0
