"""Fixtures: the ServiceNow simulator, and the whole chain in front of it.

Full chain: dev IdP token -> the ServiceNow MCP server over HTTP -> RegoAuthorizer on the real
policy -> credentials from OpenBao (AppRole) at `api/servicenow` -> the simulator.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dev_idp import IdpServer
from mcp_service_now import ServiceNowSettings, build
from platform_launcher.openbao import OpenBaoDevServer
from platform_testkit import SandboxControls, ServerStack, resource_token, start_server_stack
from servicenow_simulator import create_servicenow_app
from simulator_kit.serve import BackgroundServer

SN_USER = "integration"
SN_PASSWORD = f"sn-password-{uuid.uuid4().hex}"
SN_CLIENT_ID = "mcp-platform"
SN_CLIENT_SECRET = f"sn-client-secret-{uuid.uuid4().hex}"


class Simulator(SandboxControls):
    """The running simulator and its admin endpoints (`/sandbox/*`)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.user, self.password = SN_USER, SN_PASSWORD
        self.client_id, self.client_secret = SN_CLIENT_ID, SN_CLIENT_SECRET

    def fault(self, **fault: Any) -> None:
        """Arm a fault, e.g. fault(path_prefix="/api", status=429, retry_after=0)."""
        self.admin("faults", fault)

    def clear_faults(self) -> None:
        self.admin("faults/clear")

    def expire_tokens(self) -> int:
        return int(self.admin("tokens/expire")["expired"])

    def approve(self, change: str, approver: str | None = None) -> Any:
        body = {"approver": approver} if approver else {}
        return self.admin(f"changes/{change}/approve", body)

    def basic(self) -> httpx.Client:
        """A direct client as the integration user (to check what the tools did)."""
        return httpx.Client(base_url=self.url, auth=(SN_USER, SN_PASSWORD), timeout=10)

    def secret(self) -> dict[str, str]:
        """What `api/servicenow` holds for this simulator."""
        return {
            "instance_url": self.url, "username": SN_USER, "password": SN_PASSWORD,
            "client_id": SN_CLIENT_ID, "client_secret": SN_CLIENT_SECRET, "verify_tls": "true",
        }  # fmt: skip


@pytest.fixture(scope="module")
def simulator(serve: Callable[..., BackgroundServer]) -> Simulator:
    """One simulated instance (OAuth enabled) for the test module."""
    app = create_servicenow_app(
        username=SN_USER, password=SN_PASSWORD, client_id=SN_CLIENT_ID,
        client_secret=SN_CLIENT_SECRET,
    )  # fmt: skip
    return Simulator(serve(app).url)


@pytest.fixture(scope="module")
def stack(
    idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path, simulator: Simulator
) -> Iterator[ServerStack]:
    """The server built by `build(settings)` with real components, in front of the simulator."""

    def token(identity: str, resource: str) -> str:  # "unknown": a group no rule names
        if identity == "unknown":
            return idp.mint("developer", groups=["unknown"], realm_access={"roles": ["unknown"]},
                            aud=resource)  # fmt: skip
        return resource_token(idp, identity, resource)

    overrides = {"backend_retries": 2, "backend_backoff": 0.01, "backend_timeout": 5.0}
    with start_server_stack(
        simulator.url, simulator.secret(), ServiceNowSettings, build, simulator=simulator,
        identity="service-desk", tokens=token, idp=idp, openbao=openbao,
        policy_path=policy_path, overrides=overrides,
    ) as stack:  # fmt: skip
        yield stack


@pytest.fixture
def fresh(simulator: Simulator) -> Simulator:
    """The simulator back to its seeded data, without faults, counters at zero."""
    simulator.reset()
    return simulator
