"""Test controls: injected faults, hanging requests, stats, reset, and the entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

SERVICE = "test-rdkt-0001"  # as in conftest
BASE = f"/api/services/{SERVICE}"


def test_a_fault_answers_the_next_matching_requests_then_stops(rk: Any, http: httpx.Client) -> None:
    body = {"path_prefix": f"{BASE}/inventory", "status": 503, "count": 2, "retry_after": 1}
    assert http.post("/sandbox/faults", json=body).status_code == 201
    first = rk.request("GET", f"{BASE}/inventory")
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "1"
    assert first.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert rk.request("GET", f"{BASE}/inventory").status_code == 503
    assert rk.request("GET", f"{BASE}/inventory").status_code == 200
    assert http.get("/sandbox/stats").json()["faults_served"] == 2


def test_a_delay_fault_slows_the_request_down(rk: Any, http: httpx.Client) -> None:
    http.post("/sandbox/faults", json={"path_prefix": BASE, "delay": 0.3}).raise_for_status()
    started = time.monotonic()
    assert rk.request("GET", BASE).status_code == 200
    assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize(
    "body",
    [
        {"path_prefix": "api", "status": 500},
        {"path_prefix": "/api", "status": 200},
        {"path_prefix": "/api"},
    ],
)
def test_invalid_faults_are_refused(http: httpx.Client, body: dict[str, Any]) -> None:
    response = http.post("/sandbox/faults", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_a_hanging_request_never_completes(rk: Any, http: httpx.Client) -> None:
    assert http.post("/sandbox/requests/hang-next").json() == {"hang_next": 1}
    hung = rk.start(["par-acc-01"], ["show clock"], timeout=0.1)
    time.sleep(0.15)
    views = [rk.request("GET", f"/api/requests/{hung}").json() for _ in range(4)]
    assert {v["status"] for v in views} == {"PROCESSING"}
    assert rk.run(["par-acc-01"], ["show clock"])["status"] == "SUCCESS"  # only the next one


def test_stats_count_requests_logins_and_commands(rk: Any, http: httpx.Client) -> None:
    rk.run(["par-acc-01", "par-acc-03", "lon-core-01"], ["show clock", "show version"], 0.1)
    stats = http.get("/sandbox/stats").json()
    assert stats["logins"] == 1
    assert stats["exec_requests"] == 1
    assert stats["commands_run"] == 4  # the unreachable device ran nothing
    assert {"device": "lon-core-01", "command": "show version"} in stats["command_log"]
    assert stats["requests"][f"{BASE}/exec"] == 1
    assert stats["total_requests"] >= 3


def test_reset_forgets_tokens_faults_and_stats(rk: Any, http: httpx.Client) -> None:
    http.post("/sandbox/faults", json={"path_prefix": BASE, "status": 500}).raise_for_status()
    http.post("/sandbox/reset").raise_for_status()
    assert rk.request("GET", BASE).status_code == 401  # the token is gone, the fault too
    assert http.get("/sandbox/stats").json()["total_requests"] == 1


def test_the_entry_point_needs_a_client_secret() -> None:
    env = {k: v for k, v in os.environ.items() if k != "RADKIT_SANDBOX_CLIENT_SECRET"}
    done = subprocess.run(
        [sys.executable, "-m", "radkit_simulator", "--port", "0"],
        env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--client-secret (or $RADKIT_SANDBOX_CLIENT_SECRET) is required" in done.stderr
