"""ProxySettings: the server registry from MCP_SERVERS, no secret store, sane defaults."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mcp_rest_api_proxy.settings import ProxySettings, parse_servers

BASE = {"oidc_issuer": "http://127.0.0.1:9000", "oidc_audience": "mcp-platform"}


def test_defaults_name_the_service_and_its_port() -> None:
    settings = ProxySettings(**BASE)
    assert (settings.service_name, settings.port, settings.servers) == (
        "mcp-rest-api-proxy",
        8001,
        {},
    )


@pytest.mark.parametrize(
    "raw",
    [
        "catalyst-center=http://cc:8002/mcp, github=http://gh:8003/mcp",
        '{"catalyst-center": "http://cc:8002/mcp", "github": "http://gh:8003/mcp"}',
    ],
    ids=["pairs", "json"],
)
def test_mcp_servers_reads_pairs_or_json(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("MCP_SERVERS", raw)
    assert ProxySettings(**BASE).servers == {
        "catalyst-center": "http://cc:8002/mcp",
        "github": "http://gh:8003/mcp",
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("github", "name=url"),
        ("GitHub=http://gh/mcp", "must match"),
        ("github=ftp://gh/mcp", "http"),
        ("[1, 2]", "name=url"),
    ],
)
def test_bad_registries_are_refused_with_a_clear_message(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_servers(raw)


def test_no_secret_store_is_needed_even_if_vault_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The shared environment of a deployment may say vault; the proxy reads no secret.
    monkeypatch.setenv("MCP_SECRETS_BACKEND", "vault")
    monkeypatch.setenv("MCP_VAULT_ADDR", "http://127.0.0.1:8200")
    settings = ProxySettings(**BASE)
    assert settings.secrets_backend == "file" and settings.vault_addr is None


def test_the_catalog_identity_needs_both_halves() -> None:
    with pytest.raises(ValidationError, match="go together"):
        ProxySettings(**BASE, proxy_client_id="proxy")
    ok = ProxySettings(**BASE, proxy_client_id="proxy", proxy_client_secret="s3cret")
    assert "s3cret" not in repr(ok)
