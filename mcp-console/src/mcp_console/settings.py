"""The console's settings (`MCP_` environment variables), read once in `main()`."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mcp_common.settings import public_base_url

__all__ = ["ConsoleSettings"]


def _json_map(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        return json.loads(text) if text else {}
    return value


class ConsoleSettings(BaseSettings):
    """Where the console listens, which issuer signs people in, which servers it calls."""

    model_config = SettingsConfigDict(env_prefix="MCP_", extra="ignore", frozen=True)

    service_name: str = "mcp-console"
    host: str = "127.0.0.1"
    port: int = Field(8010, ge=0, le=65535)
    # As browsers see the console; the redirect URI is <public_url>/auth/callback. An https
    # public URL makes every cookie Secure.
    public_url: AnyHttpUrl | None = None
    log_level: str = "INFO"

    # Sign-in: the console is a confidential OAuth client of the platform's issuer
    # (authorization code + PKCE for people; token exchange for the servers' tokens).
    oidc_issuer: AnyHttpUrl
    oidc_client_id: str = "mcp-console"
    oidc_client_secret: SecretStr
    oidc_scope: str = "openid profile email offline_access"
    oidc_groups_claim: str = "groups"  # dotted path (Keycloak: realm_access.roles)
    oidc_mfa_methods: list[str] = Field(default_factory=lambda: ["mfa", "otp", "hwk", "duo"])
    # Internal URL of the issuer when the browser and the console reach it differently
    # (compose: the browser goes to localhost, the console to keycloak:8080).
    oidc_internal_issuer: AnyHttpUrl | None = None

    # MCP servers: name -> streamable HTTP URL; resources (the `aud` each accepts, RFC
    # 8707) default to the URLs. Status targets: name -> base URL (/readyz, /metrics).
    servers: dict[str, AnyHttpUrl] = Field(default_factory=dict)
    server_resources: dict[str, AnyHttpUrl] = Field(default_factory=dict)
    status_targets: dict[str, AnyHttpUrl] = Field(default_factory=dict)
    workflows_server: str = "workflows"
    catalyst_center_server: str = "catalyst-center"

    # Admins see the policy decision feed, read from these JSON-line logs (bounded).
    admin_group: str = "admin"
    audit_log_dir: str | None = None
    audit_feed_size: int = Field(50, ge=1, le=1000)

    session_idle_seconds: int = Field(1800, ge=60)
    session_max_seconds: int = Field(8 * 3600, ge=300)
    max_sessions: int = Field(10_000, ge=10)
    mcp_timeout_seconds: float = Field(30.0, gt=0, le=300)

    @field_validator(
        "servers", "server_resources", "status_targets", "oidc_mfa_methods", mode="before"
    )
    @classmethod
    def _maps(cls, value: Any) -> Any:
        return _json_map(value)

    @model_validator(mode="after")
    def _consistent(self) -> ConsoleSettings:
        unknown = set(self.server_resources) - set(self.servers)
        if unknown:
            raise ValueError(f"MCP_SERVER_RESOURCES names unknown servers: {sorted(unknown)}")
        if not self.oidc_client_secret.get_secret_value():
            raise ValueError("MCP_OIDC_CLIENT_SECRET must not be empty")
        return self

    @property
    def base_url(self) -> str:
        """The console's public base URL (no trailing slash)."""
        return public_base_url(self.public_url, self.host, self.port)

    @property
    def redirect_uri(self) -> str:
        """Where the issuer sends people back after sign-in."""
        return f"{self.base_url}/auth/callback"

    @property
    def secure_cookies(self) -> bool:
        """Cookies are Secure whenever browsers reach the console over TLS."""
        return urlsplit(self.base_url).scheme == "https"

    @property
    def issuer(self) -> str:
        """The issuer as tokens name it (no trailing slash)."""
        return str(self.oidc_issuer).rstrip("/")

    @property
    def discovery_url(self) -> str:
        """The issuer's OpenID configuration, at the address the console can reach."""
        base = str(self.oidc_internal_issuer or self.oidc_issuer).rstrip("/")
        return f"{base}/.well-known/openid-configuration"

    def server_urls(self) -> dict[str, str]:
        """name -> MCP URL."""
        return {name: str(url) for name, url in self.servers.items()}

    def resource_of(self, server: str) -> str:
        """The resource URI (the `aud`) of one server's tokens."""
        return str(self.server_resources.get(server) or self.servers[server])

    def status_urls(self) -> dict[str, str]:
        """name -> base URL for /readyz and /metrics; by default each server's origin."""
        if self.status_targets:
            return {n: str(u).rstrip("/") for n, u in self.status_targets.items()}
        targets = {}
        for name, url in self.servers.items():
            parts = urlsplit(str(url))
            targets[f"mcp-{name}"] = f"{parts.scheme}://{parts.netloc}"
        return targets
