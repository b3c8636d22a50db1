"""A tool call as each middleware of the chain gets it: its context and the rest of the chain."""

from __future__ import annotations

from typing import TypeAlias

import mcp_types as mt
from fastmcp.server.middleware import CallNext, MiddlewareContext
from fastmcp.tools.base import ToolResult

__all__ = ["ToolCallContext", "ToolCallNext"]

ToolCallContext: TypeAlias = MiddlewareContext[mt.CallToolRequestParams]
"""What `on_call_tool` gets: the call's message (tool name, arguments) and its context."""

ToolCallNext: TypeAlias = CallNext[mt.CallToolRequestParams, ToolResult]
"""The rest of the chain (then the tool itself), answering with the tool's result."""
