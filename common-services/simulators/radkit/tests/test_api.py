"""The JSON API: login and tokens, service status, inventory, exec requests polled to the end."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from radkit_simulator import create_radkit_app
from simulator_kit.network import DEVICES
from simulator_kit.serve import BackgroundServer

SERVICE = "test-rdkt-0001"  # as in conftest
BASE = f"/api/services/{SERVICE}"


def test_login_returns_a_bearer_token_bound_to_the_service(
    http: httpx.Client, login_body: dict[str, str]
) -> None:
    first, second = (
        http.post("/api/login", json=login_body),
        http.post("/api/login", json=login_body),
    )
    assert first.status_code == 200
    assert first.json()["token_type"] == "Bearer"
    assert first.json()["service_id"] == SERVICE
    assert len(first.json()["token"]) >= 40
    assert first.json()["token"] != second.json()["token"]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"client_secret": "wrong"}, 401),
        ({"client_id": "someone@else"}, 401),
        ({"client_secret": ""}, 400),
        ({"service_id": "nope-nope-0000"}, 404),
    ],
)
def test_login_with_bad_credentials_or_service_is_refused(
    http: httpx.Client, login_body: dict[str, str], change: dict[str, str], status: int
) -> None:
    response = http.post("/api/login", json={**login_body, **change})
    assert response.status_code == status
    assert "token" not in response.json()
    assert response.json()["error"]["message"]
    stats = http.get("/sandbox/stats").json()
    assert (stats["logins"], stats["login_failures"]) == (0, 0 if status == 400 else 1)


def test_every_api_call_needs_a_live_token(http: httpx.Client, rk: Any) -> None:
    assert http.get(f"{BASE}/inventory").status_code == 401
    bad = http.get(f"{BASE}/inventory", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"] == "Bearer"
    assert rk.request("GET", f"{BASE}/inventory").status_code == 200
    assert http.post("/sandbox/tokens/expire").json() == {"expired": 1}
    assert rk.request("GET", f"{BASE}/inventory").status_code == 401


def test_tokens_expire_after_their_ttl(login_body: dict[str, str]) -> None:
    app = create_radkit_app(
        service_id=SERVICE,
        client_id=login_body["client_id"],
        client_secret=login_body["client_secret"],
        token_ttl=0.2,
        admin=False,
    )
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as http:
        token = http.post("/api/login", json=login_body).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert http.get(f"{BASE}/inventory", headers=headers).status_code == 200
        time.sleep(0.25)
        assert http.get(f"{BASE}/inventory", headers=headers).status_code == 401
        assert http.get("/sandbox/stats").status_code == 404  # admin=False


def test_service_status_answers_ready(rk: Any) -> None:
    status = rk.request("GET", BASE).json()
    assert status["status"] == "READY"
    assert status["inventory_size"] == len(DEVICES)
    other = rk.request("GET", "/api/services/other-0000-0000")
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "SERVICE_NOT_FOUND"


def test_inventory_lists_the_sandbox_devices_by_hostname(rk: Any) -> None:
    devices = rk.request("GET", f"{BASE}/inventory").json()["devices"]
    assert [d["name"] for d in devices] == [d.hostname for d in DEVICES]
    nexus = next(d for d in devices if d["name"] == "lon-core-01")
    assert nexus["device_type"] == "NXOS"
    assert nexus["host"] == "10.20.0.1"
    assert nexus["attributes"]["platform"] == "N9K-C93180YC-FX"
    assert "london-dc" in nexus["labels"]
    one = rk.request("GET", f"{BASE}/inventory/par-rtr-01").json()
    assert (one["device_type"], one["attributes"]["site"]) == ("IOS_XE", "Paris-HQ")
    missing = rk.request("GET", f"{BASE}/inventory/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "DEVICE_NOT_FOUND"


def test_exec_completes_after_polling_with_outputs_per_device_and_command(rk: Any) -> None:
    request_id = rk.start(["par-rtr-01", "lon-core-01"], ["show version", "show clock"])
    first = rk.request("GET", f"/api/requests/{request_id}").json()
    assert first["status"] == "PROCESSING"
    assert first["result"]["par-rtr-01"]["status"] == "PROCESSING"
    view = rk.wait(request_id)
    assert view["status"] == "SUCCESS"
    assert view["completed_timestamp"] >= view["sent_timestamp"]
    router = view["result"]["par-rtr-01"]["commands"]["show version"]
    assert router["status"] == "SUCCESS"
    assert router["data"].startswith("par-rtr-01#show version\nCisco IOS XE Software")
    assert router["data"].endswith("\npar-rtr-01#")
    nexus = view["result"]["lon-core-01"]["commands"]["show version"]["data"]
    assert "Cisco Nexus Operating System" in nexus


def test_unreachable_devices_time_out_after_the_request_timeout(rk: Any) -> None:
    started = time.monotonic()
    view = rk.run(["par-acc-03", "par-acc-01"], ["show clock"], timeout=0.3)
    assert time.monotonic() - started >= 0.3
    assert view["status"] == "PARTIAL_SUCCESS"
    late = view["result"]["par-acc-03"]
    assert late["status"] == "TIMEOUT"
    assert "timed out" in late["status_message"]
    timed_out = {"status": "TIMEOUT", "data": "", "status_message": late["status_message"]}
    assert late["commands"]["show clock"] == timed_out
    assert view["result"]["par-acc-01"]["status"] == "SUCCESS"


def test_a_failed_command_makes_the_device_a_failure(rk: Any) -> None:
    view = rk.run(["par-acc-01"], ["show clock", "show bogus"])
    device = view["result"]["par-acc-01"]
    assert (view["status"], device["status"]) == ("FAILURE", "FAILURE")
    assert device["status_message"] == "1 of 2 commands failed"
    assert "% Invalid input" in device["commands"]["show bogus"]["data"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"devices": [], "commands": ["show clock"]}, 400, "'devices'"),
        ({"devices": ["par-acc-01"], "commands": "show clock"}, 400, "'commands'"),
        ({"devices": ["par-acc-01"], "commands": ["show clock"], "timeout": 0}, 400, "timeout"),
        ({"devices": ["nope", "par-acc-01"], "commands": ["show clock"]}, 404, "nope"),
    ],
)
def test_invalid_exec_requests_are_refused_and_run_nothing(
    rk: Any, http: httpx.Client, body: dict[str, object], status: int, message: str
) -> None:
    response = rk.request("POST", f"{BASE}/exec", json=body)
    assert response.status_code == status
    assert message in response.json()["error"]["message"]
    if status == 404:
        assert response.json()["error"]["unknown_devices"] == ["nope"]
    assert http.get("/sandbox/stats").json()["commands_run"] == 0


def test_unknown_request_ids_are_404(rk: Any) -> None:
    response = rk.request("GET", "/api/requests/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "REQUEST_NOT_FOUND"


def test_exec_polls_sets_how_many_polls_a_request_takes(
    login_body: dict[str, str], make_client: Any
) -> None:
    app = create_radkit_app(
        service_id=SERVICE,
        client_id=login_body["client_id"],
        client_secret=login_body["client_secret"],
        exec_polls=4,
    )
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as http:
        slow = make_client(http)
        request_id = slow.start(["par-acc-01"], ["show clock"])
        path = f"/api/requests/{request_id}"
        statuses = [slow.request("GET", path).json()["status"] for _ in range(4)]
    assert statuses == ["PROCESSING"] * 3 + ["SUCCESS"]
