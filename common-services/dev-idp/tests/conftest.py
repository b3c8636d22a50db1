"""Fixtures for the OAuth flows of the dev issuer (helpers: `dev_idp.headless`)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from dev_idp import IdpServer
from dev_idp.headless import PublicClient

RESOURCES = ("http://127.0.0.1:18002/mcp", "http://127.0.0.1:18003/mcp")


@pytest.fixture(scope="module")
def idp() -> Iterator[IdpServer]:
    """An issuer that knows two resources (RFC 8707), as the launcher configures it."""
    with IdpServer(resources=RESOURCES) as server:
        yield server


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def oauth(idp: IdpServer, http: httpx.Client) -> PublicClient:
    """A freshly registered public client asking for the first resource."""
    client = PublicClient(idp, http, resource=RESOURCES[0])
    client.register()
    return client
