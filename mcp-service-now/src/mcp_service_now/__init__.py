"""mcp_service_now."""

__all__: list[str] = []
