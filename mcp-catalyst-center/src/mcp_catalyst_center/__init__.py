"""mcp_catalyst_center: the Cisco Catalyst Center MCP server built on mcp_common."""

from __future__ import annotations

from .client import CatalystCenterClient
from .server import SERVER, build, main
from .settings import CatalystCenterSettings

__all__ = ["SERVER", "CatalystCenterClient", "CatalystCenterSettings", "build", "main"]
