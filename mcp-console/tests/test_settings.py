"""The console's settings: fail fast, derive URLs, cookies Secure over TLS."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mcp_console.settings import ConsoleSettings

BASE = {
    "oidc_issuer": "http://127.0.0.1:9000",
    "oidc_client_secret": "s",
    "servers": '{"github": "http://127.0.0.1:8003/mcp"}',
}


def test_defaults_and_derived_urls() -> None:
    settings = ConsoleSettings(**BASE, port=8010)  # type: ignore[arg-type]
    assert settings.redirect_uri == "http://127.0.0.1:8010/auth/callback"
    assert not settings.secure_cookies
    assert settings.resource_of("github") == "http://127.0.0.1:8003/mcp"
    assert settings.status_urls() == {"mcp-github": "http://127.0.0.1:8003"}
    assert settings.discovery_url == "http://127.0.0.1:9000/.well-known/openid-configuration"


def test_tls_makes_cookies_secure_and_resources_can_differ_from_urls() -> None:
    settings = ConsoleSettings(
        **BASE,  # type: ignore[arg-type]
        public_url="https://console.example.com",
        server_resources='{"github": "https://mcp.example.com/github/mcp"}',
    )
    assert settings.secure_cookies
    assert settings.resource_of("github") == "https://mcp.example.com/github/mcp"


def test_a_resource_for_an_unknown_server_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown servers"):
        ConsoleSettings(**BASE, server_resources='{"nope": "http://x/mcp"}')  # type: ignore[arg-type]


def test_the_issuer_and_secret_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MCP_OIDC_ISSUER", raising=False)
    with pytest.raises(ValidationError):
        ConsoleSettings()  # type: ignore[call-arg]
