"""Settings of the REST proxy: the platform's `MCP_` variables plus the MCP server registry."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from mcp_common import CommonSettings

__all__ = ["ProxySettings", "parse_servers"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
# The proxy reads no backend secret: it exchanges each caller's token per server with its own
# client secret (MCP_EXCHANGE_CLIENT_SECRET). CommonSettings insists on a secrets backend
# (vault by default, with its address and credentials), so the proxy pins it.
_NO_SECRETS = "(unused: the REST proxy reads no backend secret)"
_NO_EXCHANGE = (
    "MCP_EXCHANGE_CLIENT_SECRET is required: the REST proxy never forwards a caller's token, "
    "it exchanges it (RFC 8693) for one meant for each server, as the client "
    "MCP_EXCHANGE_CLIENT_ID (default rest-api-proxy) with this secret"
)


def parse_servers(value: Any) -> dict[str, str]:
    """`{"name": "url"}` as JSON, or `name=url,name=url` (like the reference MCP_SERVERS)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            value = json.loads(text)
        else:
            pairs = [item.strip() for item in text.split(",") if item.strip()]
            value = {}
            for pair in pairs:
                name, sep, url = pair.partition("=")
                if not sep:
                    raise ValueError(f"expected name=url, got {pair!r}")
                value[name.strip()] = url.strip()
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object or name=url pairs")
    servers: dict[str, str] = {}
    for name, url in value.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"server name {name!r} must match {_NAME.pattern}")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"server {name!r}: url must be http(s)")
        servers[name] = url
    return servers


class ProxySettings(CommonSettings):
    """Common settings (issuer, audience, policy) plus where the MCP servers are."""

    service_name: str = "mcp-rest-api-proxy"
    port: int = Field(8001, ge=0, le=65535)
    # MCP_SERVERS: {"catalyst-center": "http://mcp-catalyst-center:8002/mcp", ...}
    servers: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    upstream_timeout: float = Field(30.0, gt=0, le=600)
    upstream_max_connections: int = Field(100, ge=1, le=10_000)
    # How long a caller's tool list is reused for callers with the same groups and MFA.
    tools_cache_ttl: float = Field(10.0, ge=0, le=300)
    # The proxy's workload identity for RFC 8693 token exchange: each caller's token is
    # exchanged for one per target server naming the proxy as actor. Required: there is no
    # passthrough mode (a caller's token is never sent to a server as is).
    exchange_client_id: str = Field("rest-api-proxy", min_length=1)
    exchange_client_secret: SecretStr
    proxy_token_endpoint: str | None = None  # default: from the issuer's discovery

    @property
    def resource_url(self) -> str:
        """The proxy's resource identifier (RFC 8707): its public base URL, the API root."""
        return self.base_url

    @model_validator(mode="before")
    @classmethod
    def _no_secret_store(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if not str(k).startswith("vault_")}
            data["secrets_backend"] = "file"
            data["secrets_file"] = _NO_SECRETS
        return data

    @model_validator(mode="before")
    @classmethod
    def _exchange_identity(cls, data: Any) -> Any:
        # Fail closed, before anything starts: without its exchange identity the proxy could
        # only forward callers' tokens (token passthrough), which it never does.
        if isinstance(data, dict):
            secret = data.get("exchange_client_secret")
            if isinstance(secret, SecretStr):
                secret = secret.get_secret_value()
            if not isinstance(secret, str) or not secret.strip():
                raise ValueError(_NO_EXCHANGE)
        return data

    @field_validator("servers", mode="before")
    @classmethod
    def _servers(cls, value: Any) -> dict[str, str]:
        return parse_servers(value)

    @field_validator("proxy_token_endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value
