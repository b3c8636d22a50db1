"""The `/sandbox` controls: injected faults, task faults, token expiry, reset, stats, devices."""

from __future__ import annotations

import time
from typing import Any

import pytest

from simulator_kit.network import DEVICES

V1 = "/dna/intent/api/v1"
DEVICES_PATH = f"{V1}/network-device"


def _id(hostname: str) -> str:
    return next(d.id for d in DEVICES if d.hostname == hostname)


def _fault(http: Any, **body: Any) -> None:
    response = http.post("/sandbox/faults", json=body)
    assert response.status_code == 201, response.text


def test_429_fault_carries_retry_after_then_service_resumes(cc: Any, http: Any) -> None:
    _fault(http, path_prefix=DEVICES_PATH, status=429, count=1, retry_after=2)
    limited = cc.get(DEVICES_PATH)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"
    assert limited.json()["response"]["errorCode"] == "TOO_MANY_REQUESTS"
    assert cc.get(DEVICES_PATH).status_code == 200


def test_5xx_fault_applies_to_exactly_count_requests(cc: Any, http: Any) -> None:
    _fault(http, path_prefix=f"{V1}/network-device", status=503, count=2, retry_after=0.2)
    statuses = [cc.get(f"{DEVICES_PATH}/count").status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    stats = http.get("/sandbox/stats").json()
    assert stats["faults_served"] == 2
    assert stats["requests"][f"{DEVICES_PATH}/count"] == 3


def test_fault_can_target_one_method(cc: Any, http: Any) -> None:
    _fault(http, path_prefix=f"{V1}/network-device-poller", status=500, method="post")
    body = {"commands": ["show clock"], "deviceUuids": [_id("par-acc-01")]}
    response = cc.post(f"{V1}/network-device-poller/cli/read-request", json=body)
    assert response.status_code == 500
    assert "Traceback" not in response.text


def test_delay_fault_slows_the_response_without_failing_it(cc: Any, http: Any) -> None:
    _fault(http, path_prefix=f"{V1}/site", delay=0.3)
    started = time.perf_counter()
    assert cc.get(f"{V1}/site").status_code == 200
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    cc.get(f"{V1}/site")
    assert time.perf_counter() - started < 0.3


def test_login_can_be_faulted_too(http: Any) -> None:
    _fault(http, path_prefix="/dna/system/api/v1/auth/token", status=503, retry_after=1)
    response = http.post("/dna/system/api/v1/auth/token", auth=("admin", "sandbox-Pa55!"))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"


def test_clearing_faults_restores_service(cc: Any, http: Any) -> None:
    _fault(http, path_prefix=V1, status=500, count=5)
    http.post("/sandbox/tasks/hang-next")
    assert http.post("/sandbox/faults/clear").status_code == 200
    assert cc.get(DEVICES_PATH).status_code == 200
    assert http.get("/sandbox/faults").json() == {"faults": [], "fail_next": [], "hang_next": 0}


@pytest.mark.parametrize(
    "body",
    [{"status": 500}, {"path_prefix": "dna", "status": 500}, {"path_prefix": "/x"},
     {"path_prefix": "/x", "status": 200}, {"path_prefix": "/x", "status": 500, "count": 0},
     {"path_prefix": "/x", "delay": -1}],
    ids=["no-prefix", "relative", "nothing-to-do", "not-an-error", "zero-count", "neg-delay"],
)  # fmt: skip
def test_invalid_fault_definitions_are_400(http: Any, body: dict[str, Any]) -> None:
    assert http.post("/sandbox/faults", json=body).status_code == 400


def test_fail_next_makes_the_next_task_end_in_error(cc: Any, http: Any) -> None:
    http.post("/sandbox/tasks/fail-next", json={"failureReason": "NCTP: device busy"})
    body = {"commands": ["show version"], "deviceUuids": [_id("par-acc-01")]}
    task_id = cc.post(f"{V1}/network-device-poller/cli/read-request", json=body).json()["response"][
        "taskId"
    ]
    task = cc.wait_task(task_id)
    assert task["isError"] is True
    assert task["failureReason"] == "NCTP: device busy"
    assert "fileId" not in task["progress"]
    assert cc.run_cli(["show clock"], "par-acc-01")[0]["commandResponses"]["SUCCESS"]


def test_hang_next_makes_a_task_never_complete(cc: Any, http: Any) -> None:
    http.post("/sandbox/tasks/hang-next", json={"count": 1})
    body = {"commands": ["show version"], "deviceUuids": [_id("par-acc-01")]}
    task_id = cc.post(f"{V1}/network-device-poller/cli/read-request", json=body).json()["response"][
        "taskId"
    ]
    for _ in range(10):
        task = cc.get(f"{V1}/task/{task_id}").json()["response"]
        assert "endTime" not in task and task["isError"] is False


def test_expiring_tokens_forces_a_new_login(cc: Any, http: Any) -> None:
    assert cc.get(DEVICES_PATH).status_code == 200
    assert http.post("/sandbox/tokens/expire").json() == {"expired": 1}
    assert cc.get(DEVICES_PATH).status_code == 401
    cc.token = cc.login()
    assert cc.get(DEVICES_PATH).status_code == 200


def test_stats_count_requests_per_path_and_logins(cc: Any, http: Any) -> None:
    for _ in range(3):
        cc.get(DEVICES_PATH, params={"hostname": "par-core-01"})
    cc.get(f"{V1}/issues")
    stats = http.get("/sandbox/stats").json()
    assert stats["requests"][DEVICES_PATH] == 3
    assert stats["requests_by_method"][f"GET {V1}/issues"] == 1
    assert stats["logins"] == 1
    assert stats["total_requests"] == 5  # the login counts as a backend call too


def test_reset_forgets_tokens_jobs_and_deployments(cc: Any, http: Any) -> None:
    cc.run_cli(["show clock"], "par-acc-01")
    http.post("/sandbox/reset")
    stats = http.get("/sandbox/stats").json()
    assert stats["total_requests"] == 0 and stats["cli_commands"] == []
    assert stats["active_tokens"] == 0
    assert cc.get(DEVICES_PATH).status_code == 401


def test_device_reachability_can_be_changed_and_is_reflected_everywhere(cc: Any, http: Any) -> None:
    response = http.post(f"/sandbox/devices/{_id('lon-acc-02')}/reachability",
                         json={"reachable": False})  # fmt: skip
    assert response.json()["reachable"] is False
    device = cc.get(f"{DEVICES_PATH}/{_id('lon-acc-02')}").json()["response"]
    assert device["reachabilityStatus"] == "Unreachable"
    p1 = cc.get(f"{V1}/issues", params={"priority": "P1"}).json()["response"]
    assert _id("lon-acc-02") in {i["deviceId"] for i in p1}
    bad = http.post("/sandbox/devices/lon-acc-02/reachability", json={"reachable": "no"})
    assert bad.status_code == 400
