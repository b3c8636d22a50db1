"""GitHub's primary rate limits: a `core` and a `search` bucket, and their X-RateLimit-* headers."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Bucket", "RateLimits"]


@dataclass
class Bucket:
    """A fixed window of `limit` requests; the window starts with its first request."""

    resource: str
    limit: int
    window: float
    used: int = 0
    reset_at: float = 0.0

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window <= 0:
            raise ValueError(f"bucket {self.resource!r}: limit >= 1 and window > 0 required")

    def _roll(self, now: float) -> None:
        if now >= self.reset_at:
            self.used = 0
            self.reset_at = now + self.window

    def take(self, now: float) -> bool:
        """Count one request; False when the bucket is empty (the request is refused)."""
        self._roll(now)
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def headers(self, now: float) -> dict[str, str]:
        """The X-RateLimit-* headers GitHub sends with every authenticated answer."""
        self._roll(now)
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - self.used)),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
            "X-RateLimit-Used": str(self.used),
            "X-RateLimit-Resource": self.resource,
        }

    def view(self, now: float) -> dict[str, int]:
        """The bucket as `GET /rate_limit` shows it."""
        self._roll(now)
        return {
            "limit": self.limit,
            "used": self.used,
            "remaining": max(0, self.limit - self.used),
            "reset": math.ceil(self.reset_at),
        }

    def exhaust(self, now: float, remaining: int, reset_in: float) -> None:
        """Test control: leave `remaining` requests until a reset `reset_in` seconds from now."""
        self.used = max(0, self.limit - max(0, remaining))
        self.reset_at = now + reset_in


class RateLimits:
    """The buckets of one token: `core` (5,000 an hour) and `search` (30 a minute)."""

    def __init__(
        self, core: int = 5000, search: int = 30, clock: Callable[[], float] = time.time
    ) -> None:
        self.clock = clock
        self._sizes = (core, search)
        self.reset()

    def reset(self) -> None:
        """Full buckets again."""
        core, search = self._sizes
        self.core = Bucket("core", core, 3600.0)
        self.search = Bucket("search", search, 60.0)

    def bucket_for(self, path: str) -> Bucket | None:
        """The bucket a request counts against (`/rate_limit` counts against none)."""
        if path == "/rate_limit":
            return None
        return self.search if path.startswith("/search/") else self.core

    def named(self, resource: str) -> Bucket:
        """A bucket by resource name; ValueError for an unknown one."""
        if resource == "core":
            return self.core
        if resource == "search":
            return self.search
        raise ValueError(f"unknown rate-limit resource {resource!r} (core or search)")
