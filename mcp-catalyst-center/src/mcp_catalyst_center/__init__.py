"""mcp_catalyst_center."""

__all__: list[str] = []
