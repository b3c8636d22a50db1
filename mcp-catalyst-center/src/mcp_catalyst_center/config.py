"""The Catalyst Center connection settings kept in the secret store, validated."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mcp_common import ConfigurationError
from mcp_common.http import verify_tls_of

__all__ = ["BackendConfig", "backend_config"]


@dataclass(frozen=True, slots=True)
class BackendConfig:
    """Where and how to reach Catalyst Center, read from the secret store."""

    base_url: str
    username: str
    password: str = field(repr=False)
    verify: bool | str = True  # True, False, or a CA bundle file

    @property
    def connection(self) -> tuple[str, bool | str]:
        """What the pooled HTTP client depends on."""
        return self.base_url, self.verify


def _ca_file(pem: str) -> str:
    """A private file holding a PEM bundle stored in the secret itself (same content, same file)."""
    digest = hashlib.sha256(pem.encode()).hexdigest()[:16]
    path = os.path.join(tempfile.gettempdir(), f"mcp-catalyst-center-ca-{digest}.pem")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(pem)
    return path


def backend_config(secret: Mapping[str, Any], path: str) -> BackendConfig:
    """Validate the secret's keys (base_url, username, password, verify_tls, ca_bundle)."""
    missing = [k for k in ("base_url", "username", "password") if not secret.get(k)]
    if missing:
        raise ConfigurationError(f"secret '{path}' lacks {', '.join(missing)}")
    base_url = str(secret["base_url"]).strip().rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        raise ConfigurationError(f"secret '{path}': base_url must be an http(s) URL")
    verify: bool | str = verify_tls_of(secret, path)
    bundle = str(secret.get("ca_bundle") or "").strip()
    if verify and bundle:
        verify = _ca_file(bundle + "\n") if bundle.startswith("-----BEGIN") else bundle
    return BackendConfig(base_url, str(secret["username"]), str(secret["password"]), verify)
