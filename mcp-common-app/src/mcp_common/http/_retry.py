"""How a backend call is retried: how often, how long between attempts, which waits to accept."""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["RetryPolicy"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a backend call is retried and how long it waits in between; validated once,
    a bad value refused with a ValueError that names it.

    - `retries`: attempts after the first (0: none).
    - `backoff`: seconds the first retry waits at most; each further one up to twice the
      previous (full jitter: a uniform draw below that bound).
    - `max_backoff`: seconds no jittered backoff exceeds, however many attempts came before.
    - `max_retry_after`: the longest Retry-After (seconds) a backend may ask for and be
      waited out; a longer one fails the call at once with a clear error.

    Which calls may be retried (idempotent methods, replayable bodies, which statuses) is the
    transport's decision, not the policy's.
    """

    retries: int = 3
    backoff: float = 0.2
    max_backoff: float = 5.0
    max_retry_after: float = 30.0

    def __post_init__(self) -> None:
        if not self.retries >= 0:
            raise ValueError(f"retries must be >= 0, got {self.retries}")
        for name in ("backoff", "max_backoff", "max_retry_after"):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0 seconds, got {value}")

    def backoff_delay(self, attempt: int) -> float:
        """Seconds to wait after failed `attempt` (1 = the first): exponential with full
        jitter, uniform(0, min(max_backoff, backoff * 2**(attempt-1)))."""
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** max(0, attempt - 1))
        return random.uniform(0.0, ceiling)
