"""mcp_github."""

__all__: list[str] = []
