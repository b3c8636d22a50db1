"""Fixtures: one simulated GitHub served over real HTTP on 127.0.0.1, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from github_simulator import create_github_app
from simulator_kit.serve import BackgroundServer

TOKEN = "ghp_sandboxTestToken0123456789abcdefghij"


@pytest.fixture(scope="session")
def server() -> Iterator[BackgroundServer]:
    """The simulator, started once for the whole GitHub test session."""
    with BackgroundServer(create_github_app(token=TOKEN)) as running:
        yield running


@pytest.fixture(scope="session")
def token() -> str:
    """The token the simulator accepts."""
    return TOKEN


@pytest.fixture
def anon(server: BackgroundServer) -> Iterator[httpx.Client]:
    """A client without credentials, on freshly reset data (no fault, counters at zero)."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        client.post("/sandbox/reset").raise_for_status()
        yield client


@pytest.fixture
def gh(anon: httpx.Client, server: BackgroundServer) -> Iterator[httpx.Client]:
    """A client sending the token as `Authorization: Bearer`."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/vnd.github+json"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
        yield client
