"""Authentication, token lifecycle, error shapes and the app factory / entry point."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from catalyst_center_simulator import create_catalyst_center_app, main
from simulator_kit.serve import BackgroundServer

AUTH = "/dna/system/api/v1/auth/token"
DEVICES_PATH = "/dna/intent/api/v1/network-device"


@pytest.fixture
def short_lived() -> Iterator[httpx.Client]:
    """A separate simulator whose tokens live 0.3 s, without admin routes."""
    app = create_catalyst_center_app(password="pw", token_ttl=0.3, admin=False)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as client:
        yield client


def test_login_with_basic_credentials_returns_an_opaque_token(http: httpx.Client) -> None:
    first = http.post(AUTH, auth=("admin", "sandbox-Pa55!"))
    second = http.post(AUTH, auth=("admin", "sandbox-Pa55!"))
    assert first.status_code == 200
    assert set(first.json()) == {"Token"}
    assert len(first.json()["Token"]) >= 40
    assert first.json()["Token"] != second.json()["Token"]


@pytest.mark.parametrize(
    "auth", [("admin", "wrong"), ("root", "sandbox-Pa55!"), ("admin", "")], ids=str
)
def test_login_with_wrong_credentials_is_401(http: httpx.Client, auth: tuple[str, str]) -> None:
    response = http.post(AUTH, auth=auth)
    assert response.status_code == 401
    assert "Authentication has failed" in response.json()["error"]
    assert "Token" not in response.json()


def test_login_without_basic_header_is_401(http: httpx.Client) -> None:
    assert http.post(AUTH).status_code == 401
    assert http.post(AUTH, headers={"Authorization": "Basic !!notbase64"}).status_code == 401


def test_login_is_counted_in_stats(http: httpx.Client) -> None:
    http.post(AUTH, auth=("admin", "sandbox-Pa55!"))
    http.post(AUTH, auth=("admin", "nope"))
    stats = http.get("/sandbox/stats").json()
    assert (stats["logins"], stats["login_failures"]) == (1, 1)


def test_api_calls_without_a_token_are_401(http: httpx.Client) -> None:
    response = http.get(DEVICES_PATH)
    assert response.status_code == 401
    assert response.json()["error"]


def test_api_calls_with_an_unknown_token_are_401(http: httpx.Client) -> None:
    response = http.get(DEVICES_PATH, headers={"X-Auth-Token": "forged"})
    assert response.status_code == 401
    assert "invalid or expired" in response.json()["error"]


def test_token_is_accepted_until_its_ttl_then_401(short_lived: httpx.Client) -> None:
    token = short_lived.post(AUTH, auth=("admin", "pw")).json()["Token"]
    headers = {"X-Auth-Token": token}
    assert short_lived.get(DEVICES_PATH, headers=headers).status_code == 200
    time.sleep(0.35)
    assert short_lived.get(DEVICES_PATH, headers=headers).status_code == 401


def test_admin_routes_are_absent_unless_enabled(short_lived: httpx.Client) -> None:
    response = short_lived.post("/sandbox/reset")
    assert response.status_code == 404
    assert response.json()["response"]["errorCode"] == "NOT_FOUND"


def test_unknown_api_path_is_404_in_the_intent_api_error_shape(cc: Any) -> None:
    response = cc.get("/dna/intent/api/v1/no-such-thing")
    assert response.status_code == 404
    body = response.json()
    assert body["version"] == "1.0"
    assert set(body["response"]) == {"errorCode", "message", "detail"}


def test_wrong_method_is_405_in_the_intent_api_error_shape(cc: Any) -> None:
    response = cc.request("DELETE", DEVICES_PATH)
    assert response.status_code == 405
    assert response.json()["response"]["errorCode"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    "kwargs",
    [{"password": ""}, {"password": "x", "token_ttl": 0}, {"password": "x", "task_polls": -1},
     {"password": "x", "username": ""}],
    ids=["empty-password", "ttl", "polls", "empty-username"],
)  # fmt: skip
def test_factory_rejects_invalid_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        create_catalyst_center_app(**kwargs)


def test_main_refuses_to_start_without_a_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CATALYST_CENTER_PASSWORD", raising=False)
    with pytest.raises(SystemExit) as exc:
        main(["--port", "0"])
    assert exc.value.code == 2
