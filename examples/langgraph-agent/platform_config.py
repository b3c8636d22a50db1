"""Where the platform's MCP servers are, and the bearer token to reach them with."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["connections", "load_endpoints", "token"]

DEFAULT_ENDPOINTS = Path(__file__).resolve().parents[2] / ".platform" / "endpoints.json"


def load_endpoints(path: str | Path | None = None) -> dict[str, Any]:
    """`.platform/endpoints.json` as written by `make up` (or any file of that shape)."""
    source = Path(path or os.environ.get("MCP_PLATFORM_ENDPOINTS") or DEFAULT_ENDPOINTS)
    endpoints: dict[str, Any] = json.loads(source.read_text())
    if not isinstance(endpoints.get("servers"), dict) or not endpoints["servers"]:
        raise ValueError(f"{source}: no 'servers' to connect to")
    return endpoints


def token() -> str:
    """The caller's access token (from `make token ID=...`), taken from MCP_TOKEN."""
    value = os.environ.get("MCP_TOKEN", "").strip()
    if not value:
        raise SystemExit("set MCP_TOKEN to an access token from the platform's issuer")
    return value


def connections(endpoints: dict[str, Any], bearer: str) -> dict[str, Any]:
    """MultiServerMCPClient connections: streamable HTTP, the caller's own token."""
    return {
        name: {
            "transport": "streamable_http",
            "url": url,
            "headers": {"Authorization": f"Bearer {bearer}"},
            "timeout": 30,
        }
        for name, url in endpoints["servers"].items()
    }
