"""mcp_common."""

__all__: list[str] = []
