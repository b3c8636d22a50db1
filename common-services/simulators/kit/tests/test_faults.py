"""Faults: one validation for every simulator; consumed exactly `count` times, even in threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from simulator_kit.faults import Fault, FaultError, Faults


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": 500},
        {"path_prefix": "dna", "status": 500},
        {"path_prefix": "/x"},
        {"path_prefix": "/x", "status": 200},
        {"path_prefix": "/x", "status": True},
        {"path_prefix": "/x", "status": 500, "count": 0},
        {"path_prefix": "/x", "status": 500, "count": 1.5},
        {"path_prefix": "/x", "delay": -1},
        {"path_prefix": "/x", "delay": 120},
        {"path_prefix": "/x", "status": 500, "retry_after": -1},
        {"path_prefix": "/x", "status": 500, "method": 7},
        {"path_prefix": "/x", "status": 500, "colour": "red"},
    ],
    ids=["empty", "no-prefix", "relative", "nothing-to-do", "not-an-error", "bool-status",
         "zero-count", "float-count", "neg-delay", "long-delay", "neg-retry", "method-type",
         "unknown-field"],
)  # fmt: skip
def test_invalid_definitions_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(FaultError):
        Fault.from_json(body)


def test_a_valid_definition_is_normalised() -> None:
    fault = Fault.from_json({"path_prefix": "/api", "status": 429, "retry_after": 0.2,
                             "method": "post", "count": None})  # fmt: skip
    assert fault.method == "POST" and fault.count is None
    assert fault.headers() == {"Retry-After": "1"}  # whole seconds, rounded up
    assert Fault("/api", delay=0.5).headers() == {}


def test_a_fault_matches_its_prefix_and_method_only() -> None:
    fault = Fault("/api/x", 500, method="GET")
    assert fault.matches("GET", "/api/x/1")
    assert not fault.matches("POST", "/api/x/1")
    assert not fault.matches("GET", "/api/y")


def test_a_fault_is_served_exactly_count_times_under_contention() -> None:
    faults = Faults()
    faults.add(Fault("/dna", 503, count=50))
    with ThreadPoolExecutor(8) as pool:
        served = list(pool.map(lambda _: faults.take("GET", "/dna/x"), range(400)))
    assert sum(1 for f in served if f is not None) == 50
    assert faults.pending() == [] and faults.served == 50


def test_a_fault_without_count_lasts_until_cleared() -> None:
    faults = Faults()
    faults.add(Fault("/", 500, count=None))
    assert all(faults.take("GET", "/x") is not None for _ in range(5))
    assert faults.clear() == 1
    assert faults.take("GET", "/x") is None


def test_faults_are_taken_in_the_order_they_were_added() -> None:
    faults = Faults()
    faults.add(Fault("/a", 500))
    faults.add(Fault("/", 503))
    first, second = faults.take("GET", "/a"), faults.take("GET", "/a")
    assert (first and first.status, second and second.status) == (500, 503)


def test_reset_forgets_faults_and_how_many_were_served() -> None:
    faults = Faults()
    faults.add(Fault("/", 500, count=3))
    faults.take("GET", "/")
    faults.reset()
    assert (faults.pending(), faults.served) == ([], 0)


@pytest.mark.parametrize(
    ("status", "phrase"),
    [(503, "Service Unavailable"), (429, "Too Many Requests"), (None, "Internal Server Error"),
     (599, "Error")],
)  # fmt: skip
def test_a_faults_reason_phrase_is_its_statuss_or_error_when_http_names_none(
    status: int | None, phrase: str
) -> None:
    fault = Fault("/x", status=status, delay=0 if status else 1)
    assert fault.phrase() == phrase
