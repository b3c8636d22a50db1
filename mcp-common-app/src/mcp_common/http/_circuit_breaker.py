"""Circuit breaker per backend: stop calling an upstream that keeps failing, probe it later."""

from __future__ import annotations

import enum
import logging
import math
import threading
import time
from collections.abc import Callable
from contextlib import suppress

from mcp_common.errors import UpstreamError
from mcp_common.observability._logging import get_logger

__all__ = ["CircuitBreaker", "CircuitState", "Permit"]

_log = get_logger(__name__)


class CircuitState(enum.StrEnum):
    """The three states of a circuit breaker."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Permit:
    """Leave to make one call; report its outcome once with success/failure/release."""

    __slots__ = ("_breaker", "_done", "_epoch", "_probe")

    def __init__(self, breaker: CircuitBreaker, epoch: int, probe: bool) -> None:
        self._breaker = breaker
        self._epoch = epoch
        self._probe = probe
        self._done = False

    def success(self) -> None:
        """The backend answered well (2xx-4xx except 429)."""
        self._finish("success")

    def failure(self) -> None:
        """The backend failed (5xx, timeout, network error)."""
        self._finish("failure")

    def release(self) -> None:
        """Neither success nor failure (429, cancellation): only free the slot."""
        self._finish("neutral")

    def _finish(self, outcome: str) -> None:
        # Single use: a permit reports at most one outcome.
        if not self._done:
            self._done = True
            self._breaker._record(self._epoch, self._probe, outcome)


class CircuitBreaker:
    """Closed -> open after N consecutive failures -> half-open after a delay -> closed.

    Transitions never await, so they are atomic for asyncio tasks; a lock makes them
    safe across threads too. Each state change starts a new epoch, and outcomes reported
    for an older epoch (calls started before the change) are ignored.
    """

    def __init__(
        self,
        name: str,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        half_open_max_calls: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_transition: Callable[[str, CircuitState], None] | None = None,
    ) -> None:
        if not name:
            raise ValueError("CircuitBreaker name must not be empty")
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be >= 1, got {failure_threshold}")
        if not reset_timeout > 0:
            raise ValueError(f"reset_timeout must be > 0 seconds, got {reset_timeout}")
        if half_open_max_calls < 1:
            raise ValueError(f"half_open_max_calls must be >= 1, got {half_open_max_calls}")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout = float(reset_timeout)
        self.half_open_max_calls = half_open_max_calls
        self._clock = clock
        self._on_transition = on_transition
        self._lock = threading.Lock()
        self._state = CircuitState.CLOSED
        self._epoch = 0
        self._failures = 0
        self._opened_at = 0.0
        self._probes = 0

    @property
    def state(self) -> CircuitState:
        """The current state (an open circuit past its reset timeout reads as half-open)."""
        with self._lock:
            self._advance()
            return self._state

    def acquire(self) -> Permit:
        """Return a permit for one call, or raise UpstreamError(kind="circuit_open")."""
        with self._lock:
            self._advance()
            if self._state is CircuitState.CLOSED:
                return Permit(self, self._epoch, probe=False)
            if self._state is CircuitState.HALF_OPEN and self._probes < self.half_open_max_calls:
                self._probes += 1
                return Permit(self, self._epoch, probe=True)
            if self._state is CircuitState.OPEN:
                wait = self._opened_at + self.reset_timeout - self._clock()
            else:
                # Half-open with its probes in flight: the answer is moments away.
                wait = 1.0
        retry_in = max(1, math.ceil(wait))
        raise UpstreamError(
            f"{self.name} unavailable (circuit open, retry in {retry_in} s)",
            backend=self.name,
            retry_after=float(retry_in),
            kind="circuit_open",
        )

    def _advance(self) -> None:
        """Move an open circuit to half-open once its reset timeout has passed (lock held)."""
        if (
            self._state is CircuitState.OPEN
            and self._clock() - self._opened_at >= self.reset_timeout
        ):
            self._transition(CircuitState.HALF_OPEN)

    def _transition(self, state: CircuitState) -> None:
        """Enter `state` and start a new epoch (lock held)."""
        self._state = state
        self._epoch += 1
        self._failures = 0
        self._probes = 0
        if state is CircuitState.OPEN:
            self._opened_at = self._clock()
        _log_transition(self.name, state, self.reset_timeout)
        if self._on_transition is not None:
            with suppress(Exception):  # observability fails open
                self._on_transition(self.name, state)

    def _record(self, epoch: int, probe: bool, outcome: str) -> None:
        """Apply one call's outcome."""
        with self._lock:
            if epoch != self._epoch:
                return
            if self._state is CircuitState.HALF_OPEN:
                if probe:
                    self._probes = max(0, self._probes - 1)
                if outcome == "success":
                    self._transition(CircuitState.CLOSED)
                elif outcome == "failure":
                    self._transition(CircuitState.OPEN)
            elif self._state is CircuitState.CLOSED:
                if outcome == "success":
                    self._failures = 0
                elif outcome == "failure":
                    self._failures += 1
                    if self._failures >= self.failure_threshold:
                        self._transition(CircuitState.OPEN)


def _log_transition(name: str, state: CircuitState, reset_timeout: float) -> None:
    """Log a state change (stdlib logging swallows handler errors: fails open)."""
    level = logging.WARNING if state is CircuitState.OPEN else logging.INFO
    _log.log(
        level,
        "circuit for %s is now %s",
        name,
        state.value,
        extra={
            "event.action": f"upstream.circuit_{state.value}",
            "backend": name,
            "circuit.state": state.value,
            "circuit.reset_timeout_s": reset_timeout,
        },
    )
