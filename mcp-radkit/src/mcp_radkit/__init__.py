"""mcp_radkit: the Cisco RADKit MCP server built on mcp_common."""

from __future__ import annotations

from .backend import RadkitBackend
from .client import RadkitClient
from .server import NAME, RESOURCE, build, main
from .settings import RadkitSettings

__all__ = ["NAME", "RESOURCE", "RadkitBackend", "RadkitClient", "RadkitSettings", "build", "main"]
