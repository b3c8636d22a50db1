"""Fixtures: the GitHub simulator, and the whole chain in front of it.

Full chain: dev IdP token -> the GitHub MCP server over HTTP -> RegoAuthorizer on the real
policy -> the token from OpenBao (AppRole) at `api/github` -> the simulator.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dev_idp import IdpServer
from github_simulator import create_github_app
from mcp_github import GitHubSettings, build
from platform_launcher.openbao import OpenBaoDevServer
from platform_testkit import SandboxControls, ServerStack, start_server_stack
from simulator_kit.serve import BackgroundServer


def new_token() -> str:
    """A token shaped like a GitHub personal access token, unique per call."""
    alphabet = string.ascii_letters + string.digits
    return "ghp_" + "".join(secrets.choice(alphabet) for _ in range(36))


class Simulator(SandboxControls):
    """The running simulator and its admin endpoints (`/sandbox/*`)."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(url)
        self.token = token

    def fault(self, **fault: Any) -> None:
        """Arm a fault, e.g. fault(path_prefix="/repos", status=429, retry_after=0)."""
        self.admin("faults", fault)

    def clear_faults(self) -> int:
        return int(self.admin("faults/clear")["cleared"])

    def rate_limit(self, remaining: int, reset_in: float, resource: str = "core") -> Any:
        return self.admin(
            "ratelimit", {"resource": resource, "remaining": remaining, "reset_in": reset_in}
        )

    def api(self) -> httpx.Client:
        """A direct client with the token (to check what the tools did)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)

    def secret(self) -> dict[str, str]:
        """What `api/github` holds for this simulator."""
        return {"base_url": self.url, "token": self.token, "verify_tls": "true"}


@pytest.fixture(scope="module")
def simulator(serve: Callable[..., BackgroundServer]) -> Simulator:
    """One simulated GitHub with a fresh token for the test module."""
    token = new_token()
    return Simulator(serve(create_github_app(token=token)).url, token)


@pytest.fixture
def fresh(simulator: Simulator) -> Simulator:
    """The simulator back to its seeded data, without faults, counters at zero."""
    simulator.reset()
    return simulator


@pytest.fixture(scope="module")
def stack(
    idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path, simulator: Simulator
) -> Iterator[ServerStack]:
    """The server built by `build(settings)` with real components, in front of the simulator."""
    overrides = {"backend_retries": 2, "backend_backoff": 0.01, "backend_timeout": 5.0,
                 "max_output_chars": 20_000}  # fmt: skip
    with start_server_stack(
        simulator.url, simulator.secret(), GitHubSettings, build, simulator=simulator,
        identity="developer", idp=idp, openbao=openbao, policy_path=policy_path,
        overrides=overrides,
    ) as stack:  # fmt: skip
        yield stack
