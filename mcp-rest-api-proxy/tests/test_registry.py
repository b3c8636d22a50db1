"""ServerRegistry: one client per configured server, 404 for others, cached health, and always
the token exchange (there is no registry without one)."""

from __future__ import annotations

import pytest

from mcp_common.auth import TokenExchanger
from mcp_common.client import McpClient
from mcp_rest_api_proxy.problems import ProxyProblem
from mcp_rest_api_proxy.registry import ServerRegistry
from mcp_rest_api_proxy.settings import ProxySettings


def test_from_settings_builds_one_client_per_server() -> None:
    settings = ProxySettings(
        oidc_issuer="http://127.0.0.1:1",
        oidc_audience="mcp-platform",
        servers="a=http://127.0.0.1:1/mcp,b=http://127.0.0.1:2/mcp",
        exchange_client_secret="s3cret",
    )
    registry = ServerRegistry.from_settings(settings)
    assert registry.names == ["a", "b"] and registry.get("b").url == "http://127.0.0.1:2/mcp"
    assert registry.exchanger.client_id == "rest-api-proxy"


def exchanger() -> TokenExchanger:
    return TokenExchanger("http://127.0.0.1:1", "rest-api-proxy", "s3cret")


def test_an_unknown_server_is_a_404_problem() -> None:
    with pytest.raises(ProxyProblem) as caught:
        ServerRegistry({}, exchanger=exchanger()).get("nowhere")
    assert caught.value.status == 404 and caught.value.kind == "unknown-server"


def test_a_client_must_be_registered_under_its_own_name() -> None:
    with pytest.raises(ValueError, match="registered under"):
        ServerRegistry({"a": McpClient("b", "http://127.0.0.1:1/mcp")}, exchanger=exchanger())


async def test_health_is_checked_then_reused_briefly() -> None:
    client = McpClient("a", "http://127.0.0.1:1/mcp")
    registry = ServerRegistry({"a": client}, exchanger=exchanger(), health_ttl=60)
    assert await registry.health() == {"a": False}
    client.health_url = "http://127.0.0.1:2/healthz"  # not asked again within the TTL
    assert await registry.health() == {"a": False}
    await registry.aclose()
