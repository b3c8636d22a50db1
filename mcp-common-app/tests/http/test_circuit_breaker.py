"""Specification of the per-backend circuit breaker."""

from __future__ import annotations

import asyncio

import pytest

from mcp_common.errors import UpstreamError
from mcp_common.http import CircuitBreaker, CircuitState


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make(
    threshold: int = 3, reset: float = 30.0, probes: int = 1
) -> tuple[CircuitBreaker, FakeClock]:
    clock = FakeClock()
    return CircuitBreaker("servicenow", threshold, reset, probes, clock=clock), clock


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.acquire().failure()


def test_a_new_breaker_is_closed_and_lets_calls_through() -> None:
    breaker, _ = make()
    assert breaker.state is CircuitState.CLOSED
    breaker.acquire().success()
    assert breaker.state is CircuitState.CLOSED


def test_opens_after_threshold_consecutive_failures() -> None:
    breaker, _ = make(threshold=3)
    fail(breaker, 2)
    assert breaker.state is CircuitState.CLOSED
    fail(breaker, 1)
    assert breaker.state is CircuitState.OPEN


def test_a_success_resets_the_consecutive_failure_count() -> None:
    breaker, _ = make(threshold=3)
    fail(breaker, 2)
    breaker.acquire().success()
    fail(breaker, 2)
    assert breaker.state is CircuitState.CLOSED


def test_a_neutral_outcome_neither_counts_nor_resets() -> None:
    breaker, _ = make(threshold=3)
    fail(breaker, 2)
    breaker.acquire().release()  # e.g. HTTP 429
    assert breaker.state is CircuitState.CLOSED
    fail(breaker, 1)
    assert breaker.state is CircuitState.OPEN


def test_open_circuit_rejects_immediately_with_a_safe_circuit_open_error() -> None:
    breaker, clock = make(threshold=1, reset=30.0)
    fail(breaker, 1)
    clock.advance(18.2)
    with pytest.raises(UpstreamError) as caught:
        breaker.acquire()
    error = caught.value
    assert error.kind == "circuit_open"
    assert error.backend == "servicenow"
    assert error.status is None
    assert error.retry_after == 12.0
    assert str(error) == "servicenow unavailable (circuit open, retry in 12 s)"


def test_half_opens_after_reset_timeout_and_lets_one_probe_through() -> None:
    breaker, clock = make(threshold=1, reset=30.0)
    fail(breaker, 1)
    clock.advance(29.9)
    assert breaker.state is CircuitState.OPEN
    clock.advance(0.1)
    assert breaker.state is CircuitState.HALF_OPEN
    probe = breaker.acquire()
    with pytest.raises(UpstreamError) as caught:
        breaker.acquire()
    assert caught.value.kind == "circuit_open"
    probe.success()
    assert breaker.state is CircuitState.CLOSED


def test_a_failed_probe_reopens_and_restarts_the_reset_timer() -> None:
    breaker, clock = make(threshold=1, reset=30.0)
    fail(breaker, 1)
    clock.advance(30)
    breaker.acquire().failure()
    assert breaker.state is CircuitState.OPEN
    clock.advance(29)
    assert breaker.state is CircuitState.OPEN
    clock.advance(1)
    assert breaker.state is CircuitState.HALF_OPEN


def test_a_released_probe_frees_its_slot_without_deciding() -> None:
    breaker, clock = make(threshold=1)
    fail(breaker, 1)
    clock.advance(30)
    breaker.acquire().release()
    assert breaker.state is CircuitState.HALF_OPEN
    breaker.acquire().success()
    assert breaker.state is CircuitState.CLOSED


def test_half_open_max_calls_bounds_concurrent_probes() -> None:
    breaker, clock = make(threshold=1, probes=2)
    fail(breaker, 1)
    clock.advance(30)
    breaker.acquire()
    breaker.acquire()
    with pytest.raises(UpstreamError):
        breaker.acquire()


def test_outcomes_of_calls_started_before_a_state_change_are_ignored() -> None:
    breaker, clock = make(threshold=1)
    slow = breaker.acquire()  # started while closed
    fail(breaker, 1)
    assert breaker.state is CircuitState.OPEN
    slow.success()  # arrives late: must not close the circuit
    assert breaker.state is CircuitState.OPEN
    clock.advance(30)
    probe = breaker.acquire()
    slow.failure()
    assert breaker.state is CircuitState.HALF_OPEN
    probe.success()
    assert breaker.state is CircuitState.CLOSED


def test_a_permit_reports_only_once() -> None:
    breaker, _ = make(threshold=2)
    permit = breaker.acquire()
    permit.failure()
    permit.failure()
    assert breaker.state is CircuitState.CLOSED


async def test_concurrent_tasks_in_half_open_get_exactly_one_probe() -> None:
    breaker, clock = make(threshold=1)
    fail(breaker, 1)
    clock.advance(30)

    async def try_call() -> bool:
        await asyncio.sleep(0)
        try:
            breaker.acquire()
        except UpstreamError:
            return False
        return True

    admitted = await asyncio.gather(*(try_call() for _ in range(50)))
    assert sum(admitted) == 1


def test_state_changes_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    breaker, _ = make(threshold=1)
    with caplog.at_level("INFO", logger="mcp_common.http._circuit_breaker"):
        fail(breaker, 1)
    record = caplog.records[-1]
    assert record.levelname == "WARNING"
    assert record.__dict__["event.action"] == "upstream.circuit_open"
    assert record.__dict__["backend"] == "servicenow"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"name": ""}, "name"),
        ({"failure_threshold": 0}, "failure_threshold"),
        ({"reset_timeout": 0}, "reset_timeout"),
        ({"half_open_max_calls": 0}, "half_open_max_calls"),
    ],
)
def test_constructor_rejects_invalid_arguments(kwargs: dict[str, object], fragment: str) -> None:
    arguments: dict[str, object] = {"name": "github", **kwargs}
    with pytest.raises(ValueError, match=fragment):
        CircuitBreaker(**arguments)  # type: ignore[arg-type]
