"""Fault injection (429 + Retry-After, 5xx, delays), statistics, reset and admin switch."""

from __future__ import annotations

import time

import httpx
import pytest

from servicenow_simulator import create_servicenow_app
from simulator_kit.serve import BackgroundServer

INCIDENTS = "/api/now/table/incident"


def arm(anon: httpx.Client, **fault: object) -> None:
    response = anon.post("/sandbox/faults", json=fault)
    assert response.status_code == 201, response.text


def test_429_carries_retry_after_for_count_requests_then_recovers(
    anon: httpx.Client, sn: httpx.Client
) -> None:
    arm(anon, path_prefix="/api/now/table/incident", status=429, count=2, retry_after=3)
    for _ in range(2):
        limited = sn.get(INCIDENTS)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "3"
        assert limited.json()["status"] == "failure"
    assert sn.get(INCIDENTS).status_code == 200


def test_429_defaults_to_retry_after_one_second(anon: httpx.Client, sn: httpx.Client) -> None:
    arm(anon, path_prefix="/api", status=429)
    assert sn.get(INCIDENTS).headers["retry-after"] == "1"


def test_5xx_faults_hit_only_the_matching_prefix_and_method(
    anon: httpx.Client, sn: httpx.Client
) -> None:
    arm(anon, path_prefix="/api/sn_chg_rest", status=503, count=3, method="post")
    assert sn.get(INCIDENTS).status_code == 200
    assert sn.get("/api/sn_chg_rest/v1/change/normal").status_code == 200
    statuses = [
        sn.post("/api/sn_chg_rest/v1/change/normal", json={"short_description": "x"}).status_code
        for _ in range(4)
    ]
    assert statuses == [503, 503, 503, 200]


def test_a_fault_without_count_lasts_until_cleared(anon: httpx.Client, sn: httpx.Client) -> None:
    arm(anon, path_prefix="/api", status=500, count=None)
    assert [sn.get(INCIDENTS).status_code for _ in range(3)] == [500, 500, 500]
    assert anon.post("/sandbox/faults/clear").json() == {"cleared": 1}
    assert sn.get(INCIDENTS).status_code == 200


def test_delay_slows_the_request_and_then_serves_it(anon: httpx.Client, sn: httpx.Client) -> None:
    arm(anon, path_prefix="/api/now/table/incident", delay=0.3)
    started = time.perf_counter()
    response = sn.get(INCIDENTS)
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    sn.get(INCIDENTS)
    assert time.perf_counter() - started < 0.3


def test_a_delay_longer_than_the_client_timeout_times_out(
    anon: httpx.Client, server: BackgroundServer
) -> None:
    arm(anon, path_prefix="/api", delay=0.5, status=504)
    with (
        httpx.Client(base_url=server.url, timeout=0.1) as impatient,
        pytest.raises(httpx.ReadTimeout),
    ):
        impatient.get(INCIDENTS)


def test_faults_do_not_touch_the_sandbox_routes(anon: httpx.Client) -> None:
    arm(anon, path_prefix="/", status=500, count=None)
    assert anon.get("/sandbox/health").status_code == 200
    assert anon.get("/sandbox/stats").status_code == 200


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 200},
        {"status": 500, "count": 0},
        {"delay": 120},
        {"path_prefix": "api"},
        {"status": 500, "color": "red"},
        {},
    ],
)
def test_invalid_faults_are_rejected(anon: httpx.Client, fault: dict[str, object]) -> None:
    response = anon.post("/sandbox/faults", json=fault)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Invalid fault"


def test_stats_count_backend_calls_per_method_and_route(
    anon: httpx.Client, sn: httpx.Client
) -> None:
    created = sn.post(INCIDENTS, json={"short_description": "x"}).json()["result"]
    sn.get(f"{INCIDENTS}/{created['sys_id']}")
    sn.get(f"{INCIDENTS}/{created['sys_id']}")
    sn.get("/api/now/table/cmdb_ci")
    anon.get(INCIDENTS)  # a 401 is still a backend call
    stats = anon.get("/sandbox/stats").json()
    assert stats["total"] == 5
    assert stats["requests"] == {
        "GET /api/now/table/cmdb_ci": 1,
        "GET /api/now/table/incident": 1,
        "GET /api/now/table/incident/{sys_id}": 2,
        "POST /api/now/table/incident": 1,
    }
    filtered = anon.get(
        "/sandbox/stats", params={"method": "GET", "path_prefix": "/api/now/table/incident"}
    )
    assert filtered.json()["count"] == 3
    anon.post("/sandbox/stats/clear")
    assert anon.get("/sandbox/stats").json()["total"] == 0


def test_reset_restores_the_seed_and_disarms_faults(anon: httpx.Client, sn: httpx.Client) -> None:
    created = sn.post(INCIDENTS, json={"short_description": "temporary"}).json()["result"]
    arm(anon, path_prefix="/api", status=500, count=None)
    anon.post("/sandbox/reset")
    assert sn.get(f"{INCIDENTS}/{created['sys_id']}").status_code == 404
    numbers = [i["number"] for i in sn.get(INCIDENTS).json()["result"]]
    assert numbers == ["INC0010001", "INC0010002"]
    assert sn.post(INCIDENTS, json={"short_description": "x"}).json()["result"]["number"] == (
        "INC0010003"
    )


def test_without_admin_the_sandbox_routes_do_not_exist() -> None:
    app = create_servicenow_app(password="p", admin=False)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as client:
        response = client.post("/sandbox/reset")
        assert response.status_code == 400
        assert client.get("/api/now/table/incident", auth=("integration", "p")).status_code == 200
