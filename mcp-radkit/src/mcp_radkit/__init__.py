"""mcp_radkit: the Cisco RADKit MCP server built on mcp_common."""

from __future__ import annotations

from .backend import RadkitBackend
from .client import RadkitClient
from .server import SERVER, build, main
from .settings import RadkitSettings

__all__ = ["SERVER", "RadkitBackend", "RadkitClient", "RadkitSettings", "build", "main"]
