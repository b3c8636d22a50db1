"""`python -m mcp_radkit`: run the RADKit MCP server."""

from __future__ import annotations

from .server import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
