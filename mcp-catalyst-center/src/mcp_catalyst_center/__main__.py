"""`python -m mcp_catalyst_center`: run the Catalyst Center MCP server."""

from __future__ import annotations

from .server import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
