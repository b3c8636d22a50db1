"""The Gate: counts, then faults, then admits; the `/sandbox` controls are never touched."""

from __future__ import annotations

import time
from typing import Any

import httpx


def arm(http: httpx.Client, **fault: Any) -> None:
    response = http.post("/sandbox/faults", json=fault)
    assert response.status_code == 201, response.text


def test_requests_are_admitted_by_the_simulator(http: httpx.Client, api: httpx.Client) -> None:
    assert http.get("/items", headers={"x-token": "forged"}).status_code == 401
    assert api.get("/items").json() == {"items": [1, 2]}


def test_a_fault_answers_in_the_simulators_envelope_before_admission(http: httpx.Client) -> None:
    arm(http, path_prefix="/items", status=503, retry_after=1.5, count=2)
    for _ in range(2):
        faulted = http.get("/items")  # no token: the fault comes first
        assert faulted.status_code == 503 and faulted.headers["retry-after"] == "2"
        assert faulted.json() == {"error": "injected", "detail": "/items"}
    assert http.get("/items").status_code == 401


def test_a_delay_only_fault_slows_the_request_then_admits_it(api: httpx.Client) -> None:
    arm(api, path_prefix="/items", delay=0.3)
    started = time.perf_counter()
    assert api.get("/items").status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_every_covered_request_is_counted_even_refused_ones(
    http: httpx.Client, api: httpx.Client
) -> None:
    api.get("/items")
    http.get("/items", headers={"x-token": ""})
    stats = http.get("/sandbox/stats").json()
    assert stats["requests"] == {"GET /items": 2, "POST /login": 1} and stats["total"] == 3


def test_the_sandbox_controls_are_never_faulted_nor_counted(http: httpx.Client) -> None:
    arm(http, path_prefix="/", status=500, count=None)
    assert http.get("/sandbox/health").status_code == 200
    assert http.get("/sandbox/stats").json()["total"] == 0
