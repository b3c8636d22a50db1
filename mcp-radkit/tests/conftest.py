"""Fixtures of the RADKit server's tests: the RADKit simulator and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio

from mcp_common.http import RetryPolicy
from mcp_common.testing import StaticSecretStore
from mcp_radkit.client import RadkitClient
from platform_testkit import SandboxControls
from radkit_simulator import create_radkit_app
from simulator_kit.serve import BackgroundServer

SERVICE_ID = "test-rdkt-0042"
CLIENT_ID = "mcp-radkit-tests@corp.example.net"
CLIENT_SECRET = "sim-Radkit-Secret-for-tests"
SECRET_PATH = "api/radkit"


class Simulator(SandboxControls):
    """The RADKit simulator and its `/sandbox` test controls."""

    def fault(self, path_prefix: str, status: int | None = None, **extra: Any) -> None:
        """Answer the next matching request(s) with `status` (and/or a delay)."""
        self.admin("faults", {"path_prefix": path_prefix, "status": status, **extra})

    def hang_next(self) -> None:
        """The next exec request never completes."""
        self.admin("requests/hang-next")

    def expire_tokens(self) -> None:
        """Every issued token is invalid from now on."""
        self.admin("tokens/expire")

    def secret(self) -> dict[str, str]:
        """What `api/radkit` holds for this simulator."""
        return {
            "mode": "http",
            "service_id": SERVICE_ID,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "base_url": self.url,
            "verify_tls": "true",
        }


@pytest.fixture(scope="module")
def simulator(serve: Callable[[Any], BackgroundServer]) -> Simulator:
    """A fresh simulator per test module (requests complete on the second poll)."""
    app = create_radkit_app(service_id=SERVICE_ID, client_id=CLIENT_ID,
                            client_secret=CLIENT_SECRET, exec_polls=2)  # fmt: skip
    return Simulator(serve(app).url)


@pytest.fixture(scope="module")
def secrets(simulator: Simulator) -> StaticSecretStore:
    """A secret store holding the simulator's credentials."""
    return StaticSecretStore({SECRET_PATH: simulator.secret()})


@pytest_asyncio.fixture(scope="module")
async def client(secrets: StaticSecretStore) -> AsyncIterator[RadkitClient]:
    """A client on the simulator with fast polling and a short wait margin."""
    rc = RadkitClient(secrets, poll_interval=0.02, wait_margin=0.5, retry=RetryPolicy(retries=2))
    yield rc
    await rc.aclose()
