"""ProxySettings: the server registry from MCP_SERVERS, no secret store, sane defaults, and no
start at all without the proxy's token-exchange identity (no token passthrough)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mcp_rest_api_proxy import main
from mcp_rest_api_proxy.settings import ProxySettings, parse_servers

BASE: dict[str, Any] = {
    "oidc_issuer": "http://127.0.0.1:9000",
    "oidc_audience": "mcp-platform",
    "exchange_client_secret": "s3cret",
}


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


@pytest.mark.parametrize("secret", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_without_an_exchange_secret_the_settings_are_refused(secret: str | None) -> None:
    given = {**BASE, "exchange_client_secret": secret}
    if secret is None:
        del given["exchange_client_secret"]
    with pytest.raises(ValidationError, match="MCP_EXCHANGE_CLIENT_SECRET is required"):
        ProxySettings(**given)


def test_the_proxy_does_not_start_without_its_exchange_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # There is no passthrough mode to fall back to: `python -m mcp_rest_api_proxy` stops
    # before listening, with one line naming the variable.
    monkeypatch.setenv("MCP_OIDC_ISSUER", "http://127.0.0.1:9000")
    monkeypatch.setenv("MCP_SERVERS", "github=http://127.0.0.1:8003/mcp")
    monkeypatch.delenv("MCP_EXCHANGE_CLIENT_SECRET", raising=False)
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("configuration error: MCP_EXCHANGE_CLIENT_SECRET is required")
    assert "Traceback" not in error


def test_the_exchange_secret_never_shows_in_the_settings_repr() -> None:
    settings = ProxySettings(**BASE)
    assert settings.exchange_client_id == "rest-api-proxy"
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings.model_dump())
