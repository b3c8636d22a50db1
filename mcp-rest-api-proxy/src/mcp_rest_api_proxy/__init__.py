"""mcp_rest_api_proxy."""

__all__: list[str] = []
