"""The RADKit connection settings kept in the secret store (`api/radkit`), validated.

Keys: `mode` ("sdk", the default, or "http"), `service_id` (the RADKit Service serial),
`client_id` (or `email`: the RADKit identity), `client_secret` (or `password`: the
private-key password in sdk mode, the client secret in http mode), `base_url` (http mode),
`verify_tls` ("true"/"false"), and in sdk mode optionally `cert_path`, `key_path`,
`ca_path` (else the SDK's own identity store under ~/.radkit).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mcp_common import ConfigurationError
from mcp_common.http import verify_tls_of

__all__ = ["MODES", "RadkitConfig", "radkit_config"]

MODES = ("sdk", "http")
_SERVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,63}$")


@dataclass(frozen=True, slots=True)
class RadkitConfig:
    """Which RADKit Service to reach, how, and as whom (equal configs share a backend)."""

    mode: Literal["sdk", "http"]
    service_id: str
    client_id: str
    client_secret: str = field(repr=False)
    base_url: str = ""
    verify: bool = True
    cert_path: str = ""
    key_path: str = ""
    ca_path: str = ""


def _first(secret: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = secret.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def radkit_config(secret: Mapping[str, Any], path: str) -> RadkitConfig:
    """Validate the secret's keys; ConfigurationError names what is missing or wrong."""
    mode = _first(secret, "mode").lower() or "sdk"
    if mode not in MODES:
        raise ConfigurationError(f"secret '{path}': mode must be 'sdk' or 'http', not {mode!r}")
    service_id = _first(secret, "service_id")
    client_id = _first(secret, "client_id", "email")
    client_secret = _first(secret, "client_secret", "password")
    base_url = _first(secret, "base_url").rstrip("/")
    needed = {"service_id": service_id, "client_id (or email)": client_id}
    if mode == "http":
        needed |= {"client_secret (or password)": client_secret, "base_url": base_url}
    missing = [name for name, value in needed.items() if not value]
    if missing:
        raise ConfigurationError(f"secret '{path}' ({mode} mode) lacks {', '.join(missing)}")
    if not _SERVICE_ID.match(service_id):
        raise ConfigurationError(f"secret '{path}': service_id is not a RADKit service serial")
    if mode == "http" and not base_url.startswith(("https://", "http://")):
        raise ConfigurationError(f"secret '{path}': base_url must be an http(s) URL")
    return RadkitConfig(
        mode="http" if mode == "http" else "sdk",
        service_id=service_id,
        client_id=client_id,
        client_secret=client_secret,
        base_url=base_url,
        verify=verify_tls_of(secret, path),
        cert_path=_first(secret, "cert_path"),
        key_path=_first(secret, "key_path"),
        ca_path=_first(secret, "ca_path"),
    )
