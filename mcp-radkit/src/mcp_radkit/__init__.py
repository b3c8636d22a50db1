"""mcp_radkit."""

__all__: list[str] = []
