"""`python -m mcp_github`: run the GitHub MCP server."""

from .server import main

__all__: list[str] = []

main()
