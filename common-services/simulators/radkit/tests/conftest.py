"""Fixtures: one RADKit simulator over real HTTP on 127.0.0.1, reset before each test."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from radkit_simulator import create_radkit_app
from simulator_kit.serve import BackgroundServer

SERVICE = "test-rdkt-0001"
CLIENT_ID = "netops-bot@corp.example.net"
SECRET = "radkit-Sandbox-s3cret"
BASE = f"/api/services/{SERVICE}"


class Radkit:
    """A logged-in HTTP client for the simulator, plus exec helpers."""

    service, client_id, secret, base = SERVICE, CLIENT_ID, SECRET, BASE

    def __init__(self, client: httpx.Client) -> None:
        self.http = client
        self.token = self.login()

    def login(self) -> str:
        """Log in and return the session token."""
        body = {"service_id": SERVICE, "client_id": CLIENT_ID, "client_secret": SECRET}
        response = self.http.post("/api/login", json=body)
        response.raise_for_status()
        token: str = response.json()["token"]
        return token

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """An authenticated request."""
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.http.request(method, path, headers=headers, **kwargs)

    def start(self, devices: list[str], commands: list[str], timeout: float = 5) -> str:
        """POST an exec request; its id."""
        body = {"devices": devices, "commands": commands, "timeout": timeout}
        response = self.request("POST", f"{BASE}/exec", json=body)
        assert response.status_code == 202, response.text
        request_id: str = response.json()["request_id"]
        return request_id

    def wait(self, request_id: str, max_polls: int = 50) -> dict[str, Any]:
        """Poll until the request is no longer PROCESSING."""
        for _ in range(max_polls):
            view: dict[str, Any] = self.request("GET", f"/api/requests/{request_id}").json()
            if view["status"] != "PROCESSING":
                return view
            time.sleep(0.02)
        raise AssertionError(f"request {request_id} did not complete in {max_polls} polls")

    def run(self, devices: list[str], commands: list[str], timeout: float = 5) -> dict[str, Any]:
        """Exec round trip: the completed request."""
        return self.wait(self.start(devices, commands, timeout))

    def output(self, device: str, command: str) -> dict[str, Any]:
        """One command's result on one device."""
        result: dict[str, Any] = self.run([device], [command])["result"][device]["commands"]
        return dict(result[command])


@pytest.fixture(scope="session")
def rk_server() -> Iterator[BackgroundServer]:
    """The simulator on a free port for the whole session."""
    app = create_radkit_app(service_id=SERVICE, client_id=CLIENT_ID, client_secret=SECRET)
    with BackgroundServer(app) as server:
        yield server


@pytest.fixture
def http(rk_server: BackgroundServer) -> Iterator[httpx.Client]:
    """A plain client on a freshly reset simulator."""
    with httpx.Client(base_url=rk_server.url, timeout=10) as client:
        client.post("/sandbox/reset").raise_for_status()
        yield client


@pytest.fixture
def login_body() -> dict[str, str]:
    """Valid `POST /api/login` credentials."""
    return {"service_id": SERVICE, "client_id": CLIENT_ID, "client_secret": SECRET}


@pytest.fixture
def make_client() -> type[Radkit]:
    """The helper class, for tests that start their own simulator."""
    return Radkit


@pytest.fixture
def rk(http: httpx.Client) -> Radkit:
    """A logged-in client on a freshly reset simulator."""
    return Radkit(http)
