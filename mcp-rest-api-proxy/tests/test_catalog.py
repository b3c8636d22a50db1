"""The catalog identity: a client-credentials token, and every server's tools read with it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dev_idp import IdpServer
from mcp_common.client import McpClient
from mcp_common.errors import AuthenticationError
from mcp_rest_api_proxy.catalog import ServiceToken, ToolCatalog
from mcp_rest_api_proxy.registry import ServerRegistry
from simulator_kit.serve import BackgroundServer

sys.path.insert(0, str(Path(__file__).parent))
from proxy_stack import closed_port, github_tools, start_server


@pytest.fixture(scope="module")
def github_url(idp: IdpServer, serve: Callable[..., BackgroundServer], policy_path: Path) -> str:
    return start_server(
        serve, idp, policy_path, name="github", resource="github", toolsets=[github_tools()]
    ).url


async def test_a_service_token_is_fetched_once_and_reused(idp: IdpServer) -> None:
    token = ServiceToken(idp.issuer, "admin", idp.secret("admin"))
    first, second = await token.get(), await token.get()
    await token.aclose()
    assert first == second and first.count(".") == 2


async def test_a_wrong_secret_is_an_authentication_error(idp: IdpServer) -> None:
    token = ServiceToken(idp.issuer, "admin", "wrong-secret")
    with pytest.raises(AuthenticationError, match="catalog identity"):
        await token.get()
    await token.aclose()


async def test_refresh_reads_every_server_and_keeps_a_failing_ones_last_list(
    idp: IdpServer, github_url: str
) -> None:
    offline = f"http://127.0.0.1:{closed_port()}/mcp"
    registry = ServerRegistry(
        {"github": McpClient("github", github_url), "offline": McpClient("offline", offline)}
    )
    catalog = ToolCatalog(registry, ServiceToken(idp.issuer, "admin", idp.secret("admin")))
    assert catalog.enabled and catalog.version == 0
    assert await catalog.refresh() is True
    assert catalog.version == 1
    assert {t.name for t in catalog.snapshot()["github"]} == {"list_repos", "create_issue"}
    assert catalog.snapshot()["offline"] == []
    assert catalog.lookup("github", "create_issue") is not None
    assert await catalog.refresh() is False  # nothing changed: same version
    assert await catalog.refresh(force=False) is False  # too soon: not even asked
    assert catalog.version == 1
    await catalog.aclose()
    await registry.aclose()


async def test_without_an_identity_the_catalog_stays_empty(github_url: str) -> None:
    registry = ServerRegistry({"github": McpClient("github", github_url)})
    catalog = ToolCatalog(registry)
    assert not catalog.enabled and await catalog.refresh() is False
    assert catalog.snapshot() == {"github": []} and catalog.lookup("github", "x") is None
    await registry.aclose()
