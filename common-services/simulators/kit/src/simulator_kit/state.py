"""The state every session-token simulator starts from: one lock, tokens, faults and stats."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .admin import Controls
from .faults import Faults
from .stats import RequestStats
from .tokens import SessionTokens

__all__ = ["SimulatorState"]


class SimulatorState:
    """Session tokens, faults, request stats and counters behind one lock.

    `reset()` forgets them all and restarts the clock, then calls `_reset()`, where a
    simulator puts back its own initial state; subclasses call `reset()` once set up.
    """

    def __init__(self, tokens: SessionTokens) -> None:
        self._lock = threading.RLock()
        self.tokens = tokens
        self.faults = Faults()
        self.stats = RequestStats()

    def reset(self) -> None:
        """Forget tokens, faults, stats and counters, then the simulator's own state."""
        with self._lock:
            self.started = time.time()
            self.tokens.expire_all()
            self.faults.reset()
            self.stats.clear()
            self.counters: Counter[str] = Counter()
            self._reset()

    def _reset(self) -> None:
        """The simulator's own initial state (called under the lock)."""

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the state lock (for multi-step reads/updates in handlers)."""
        with self._lock:
            yield

    def stats_view(self) -> dict[str, Any]:
        """What the tests look at: requests, logins, faults served, then the simulator's own."""
        with self._lock:
            return {
                "requests": self.stats.per_path(),
                "total_requests": self.stats.total(),
                "logins": self.counters["logins"],
                "login_failures": self.counters["login_failures"],
                "faults_served": self.faults.served,
                **self._stats_view(),
            }

    def _stats_view(self) -> dict[str, Any]:
        """The simulator's own counters in `stats_view` (called under the lock)."""
        return {}

    def controls(self, **extra: Any) -> Controls:
        """The `/sandbox` controls over this state; `extra`: more of `Controls`' fields."""
        return Controls(
            faults=self.faults,
            stats=self.stats,
            reset=self.reset,
            stats_view=lambda request: self.stats_view(),
            expire_tokens=self.tokens.expire_all,
            **extra,
        )

    def count_login(self, ok: bool) -> None:
        """Count one login attempt (`logins` or `login_failures`)."""
        with self._lock:
            self.counters["logins" if ok else "login_failures"] += 1
