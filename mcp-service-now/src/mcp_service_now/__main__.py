"""`python -m mcp_service_now`: run the ServiceNow MCP server."""

from .server import main

__all__: list[str] = []

main()
