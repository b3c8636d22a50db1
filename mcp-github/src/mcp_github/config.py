"""The GitHub connection read from the secret store (`base_url`, `token`, `verify_tls`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from mcp_common.errors import ConfigurationError
from mcp_common.http import verify_tls_of

__all__ = ["GitHubConfig"]


@dataclass(frozen=True, slots=True)
class GitHubConfig:
    """The REST API root (https://api.github.com or GHES `https://host/api/v3`) and the token."""

    base_url: str
    token: str = field(repr=False)
    verify_tls: bool = True

    @classmethod
    def from_secret(cls, data: Mapping[str, Any], path: str) -> GitHubConfig:
        """Validate the secret's keys; errors name the key at fault, never a value."""
        missing = [k for k in ("base_url", "token") if not str(data.get(k) or "").strip()]
        if missing:
            raise ConfigurationError(f"secret '{path}' lacks {', '.join(missing)}")
        base_url = str(data["base_url"]).strip().rstrip("/")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"secret '{path}': base_url must be an http(s) URL")
        token = str(data["token"]).strip()
        if any(c.isspace() or ord(c) < 32 for c in token):
            # A line break in a header value could smuggle a second header.
            raise ConfigurationError(f"secret '{path}': token contains whitespace")
        return cls(base_url, token, verify_tls_of(data, path))
