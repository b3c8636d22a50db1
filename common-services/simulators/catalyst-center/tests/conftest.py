"""Fixtures: one simulator served over real HTTP on 127.0.0.1, reset before each test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from catalyst_center_simulator import create_catalyst_center_app
from simulator_kit.network import DEVICES, Device
from simulator_kit.serve import BackgroundServer

USER = "admin"
PASSWORD = "sandbox-Pa55!"
V1 = "/dna/intent/api/v1"
AUTH = "/dna/system/api/v1/auth/token"
TASK_POLLS = 2


def device(hostname: str) -> Device:
    """The inventory device with this hostname."""
    return next(d for d in DEVICES if d.hostname == hostname)


class CatalystCenter:
    """A logged-in HTTP client for the simulator, plus task/deployment helpers."""

    def __init__(self, client: httpx.Client) -> None:
        self.http = client
        self.token = self.login()

    def login(self) -> str:
        """Log in and return the token."""
        response = self.http.post(AUTH, auth=(USER, PASSWORD))
        response.raise_for_status()
        token: str = response.json()["Token"]
        return token

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """An authenticated request."""
        headers = {"X-Auth-Token": self.token, **kwargs.pop("headers", {})}
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """An authenticated GET."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        """An authenticated POST."""
        return self.request("POST", path, **kwargs)

    def wait_task(self, task_id: str, max_polls: int = 10) -> dict[str, Any]:
        """Poll a task until it has an endTime; return its `response`."""
        for _ in range(max_polls):
            task: dict[str, Any] = self.get(f"{V1}/task/{task_id}").json()["response"]
            if "endTime" in task:
                return task
        raise AssertionError(f"task {task_id} did not complete in {max_polls} polls")

    def wait_deployment(self, deployment_id: str, max_polls: int = 10) -> dict[str, Any]:
        """Poll a deployment until its status is final."""
        path = f"{V1}/template-programmer/template/deploy/status/{deployment_id}"
        for _ in range(max_polls):
            status: dict[str, Any] = self.get(path).json()
            if status["status"] in ("SUCCESS", "FAILURE"):
                return status
        raise AssertionError(f"deployment {deployment_id} did not finish")

    def run_cli(self, commands: list[str], *hostnames: str) -> list[dict[str, Any]]:
        """Command runner round trip: request -> task -> file."""
        body = {"commands": commands, "deviceUuids": [device(h).id for h in hostnames]}
        response = self.post(f"{V1}/network-device-poller/cli/read-request", json=body)
        assert response.status_code == 202, response.text
        task = self.wait_task(response.json()["response"]["taskId"])
        file_id = json.loads(task["progress"])["fileId"]
        result: list[dict[str, Any]] = self.get(f"{V1}/file/{file_id}").json()
        return result


@pytest.fixture(scope="session")
def cc_server() -> Iterator[BackgroundServer]:
    """The simulator on a free port for the whole session."""
    app = create_catalyst_center_app(username=USER, password=PASSWORD, task_polls=TASK_POLLS)
    with BackgroundServer(app) as server:
        yield server


@pytest.fixture
def http(cc_server: BackgroundServer) -> Iterator[httpx.Client]:
    """A plain client on a freshly reset simulator."""
    with httpx.Client(base_url=cc_server.url, timeout=10) as client:
        client.post("/sandbox/reset").raise_for_status()
        yield client


@pytest.fixture
def cc(http: httpx.Client) -> CatalystCenter:
    """A logged-in client on a freshly reset simulator."""
    return CatalystCenter(http)
