"""Tool error results with a machine-readable kind, so MCP clients need not parse messages.

Every failed tool call answers `isError: true` with a human message (unchanged) and, in the
result's `_meta`, `{"io.mcp-platform/error": {"kind": ..., ...}}`: `denied` (with `action`,
`resource`), `unknown_tool`, `invalid_arguments`, `rate_limited` (with `retry_after`),
`upstream_error` (with `backend`, `status`, `retry_after`), `tool_error`, `internal`.
"""

from __future__ import annotations

from typing import Any

import mcp_types as mt
from fastmcp.exceptions import ToolError
from fastmcp.tools.base import ToolResult

__all__ = ["ERROR_KINDS", "ERROR_META", "RateLimitExceeded", "error_result"]

ERROR_META = "io.mcp-platform/error"
ERROR_KINDS = frozenset(
    {"denied", "unknown_tool", "invalid_arguments", "rate_limited", "upstream_error",
     "tool_error", "internal"}
)  # fmt: skip


class RateLimitExceeded(ToolError):
    """The caller exceeded the per principal x tool rate limit."""

    def __init__(self, tool: str, retry_after: float) -> None:
        self.retry_after = max(1, round(retry_after))
        super().__init__(f"Rate limit exceeded for tool '{tool}'; retry in {self.retry_after} s")


def error_result(message: str, kind: str, **details: Any) -> ToolResult:
    """An `isError` result carrying `message` and the error's kind and details in `_meta`."""
    if kind not in ERROR_KINDS:
        raise ValueError(f"unknown error kind {kind!r}")
    info = {"kind": kind, **{k: v for k, v in details.items() if v is not None}}
    return ToolResult(
        content=[mt.TextContent(type="text", text=message)],
        meta={ERROR_META: info},
        is_error=True,
    )
