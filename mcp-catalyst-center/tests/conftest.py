"""Fixtures of the Catalyst Center server's tests: its tools by kind, the simulator, a client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio

from catalyst_center_simulator import create_catalyst_center_app
from mcp_catalyst_center.client import CatalystCenterClient
from mcp_common.http import RetryPolicy
from mcp_common.testing import StaticSecretStore
from platform_testkit import SandboxControls
from simulator_kit.serve import BackgroundServer

SIM_USER = "svc-mcp"
SIM_PASSWORD = "sim-Pa55word-for-tests"
SECRET_PATH = "api/catalyst-center"
READ_TOOLS = {
    "list_devices",
    "get_device",
    "get_device_interfaces",
    "get_device_config",
    "list_sites",
    "get_device_health",
    "get_network_health",
    "list_issues",
    "get_all_templates",
    "get_template",
    "get_task",
}
ALL_TOOLS = READ_TOOLS | {"preview_template", "deploy_template", "run_show_commands"}


class Simulator(SandboxControls):
    """The Catalyst Center simulator and its `/sandbox` test controls."""

    def fault(self, path_prefix: str, status: int, **extra: Any) -> None:
        """Answer the next matching request(s) with `status`."""
        self.admin("faults", {"path_prefix": path_prefix, "status": status, **extra})

    def fail_next_task(self, reason: str) -> None:
        """The next task ends in error with this failureReason."""
        self.admin("tasks/fail-next", {"failureReason": reason})

    def hang_next_task(self) -> None:
        """The next task never completes."""
        self.admin("tasks/hang-next")

    def expire_tokens(self) -> None:
        """Every issued token is invalid from now on."""
        self.admin("tokens/expire")

    def deployed(self) -> dict[str, Any]:
        """Per device, the template versions deployed."""
        result: dict[str, Any] = self._admin("GET", "deployed")
        return result

    def secret(self) -> dict[str, str]:
        """What `api/catalyst-center` holds for this simulator."""
        return {
            "base_url": self.url,
            "username": SIM_USER,
            "password": SIM_PASSWORD,
            "verify_tls": "true",
        }


@pytest.fixture(scope="session")
def tool_sets() -> dict[str, set[str]]:
    """The server's tools by what they do: "read" (read-only), "all", and "none"."""
    return {"read": set(READ_TOOLS), "all": set(ALL_TOOLS), "none": set()}


@pytest.fixture(scope="module")
def simulator(serve: Callable[[Any], BackgroundServer]) -> Simulator:
    """A fresh simulator per test module (tasks complete on the second poll)."""
    app = create_catalyst_center_app(username=SIM_USER, password=SIM_PASSWORD, task_polls=2)
    return Simulator(serve(app).url)


@pytest.fixture(scope="module")
def secrets(simulator: Simulator) -> StaticSecretStore:
    """A secret store holding the simulator's credentials."""
    return StaticSecretStore({SECRET_PATH: simulator.secret()})


@pytest_asyncio.fixture(scope="module")
async def client(secrets: StaticSecretStore) -> AsyncIterator[CatalystCenterClient]:
    """A client on the simulator with fast polling and a short task deadline."""
    cc = CatalystCenterClient(
        secrets, task_poll_interval=0.02, task_timeout=0.5, retry=RetryPolicy(retries=2)
    )
    yield cc
    await cc.aclose()
