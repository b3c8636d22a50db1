"""Fixtures: one simulated instance served over real HTTP on 127.0.0.1, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from servicenow_simulator import create_servicenow_app
from simulator_kit.serve import BackgroundServer

USER = "integration"
PASSWORD = "sandbox-password"
CLIENT_ID = "mcp-platform"
CLIENT_SECRET = "sandbox-client-secret"


@dataclass(frozen=True)
class Creds:
    """The credentials the test instance is configured with."""

    user: str = USER
    password: str = PASSWORD
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def password_grant(self, **overrides: str) -> dict[str, str]:
        """An oauth_token.do form for the password grant."""
        return {
            "grant_type": "password",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "username": self.user,
            "password": self.password,
            **overrides,
        }


@pytest.fixture(scope="session")
def creds() -> Creds:
    """The test instance's credentials."""
    return Creds()


@pytest.fixture(scope="session")
def server() -> Iterator[BackgroundServer]:
    """The simulator, started once for the whole ServiceNow test session."""
    app = create_servicenow_app(
        username=USER, password=PASSWORD, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    with BackgroundServer(app) as running:
        yield running


@pytest.fixture
def anon(server: BackgroundServer) -> Iterator[httpx.Client]:
    """A client without credentials, on a freshly reset instance."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        client.post("/sandbox/reset").raise_for_status()
        yield client


@pytest.fixture
def sn(anon: httpx.Client, server: BackgroundServer) -> Iterator[httpx.Client]:
    """A client authenticated as the integration user (HTTP Basic)."""
    with httpx.Client(base_url=server.url, auth=(USER, PASSWORD), timeout=10) as client:
        yield client
