"""A lean MCP client for the platform's own servers (used by the REST proxy and the worker)."""

from mcp_common.client._client import (
    PROTOCOL_VERSION,
    McpCallError,
    McpClient,
    ToolCallResult,
    ToolInfo,
    visibility_key,
)

__all__ = [
    "PROTOCOL_VERSION",
    "McpCallError",
    "McpClient",
    "ToolCallResult",
    "ToolInfo",
    "visibility_key",
]
