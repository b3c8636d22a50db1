"""Tool error results with a machine-readable kind, so MCP clients need not parse messages.

Every failed tool call answers `isError: true` with a human message (unchanged) and, in the
result's `_meta`, `{"io.mcp-platform/error": {"kind": ..., ...}}`: `denied` (with `action`,
`resource`), `unknown_tool`, `invalid_arguments` (the input schema refused them),
`invalid_input` (the tool refused its input by its own rules, e.g. a CLI guard refusal),
`rate_limited` (with `retry_after`), `upstream_error` (with `backend`, `status`,
`retry_after` and `reason`, e.g. `circuit_open`), `tool_error`, `internal`.
"""

from __future__ import annotations

from typing import Any

import mcp_types as mt
from fastmcp.tools.base import ToolResult

__all__ = ["ERROR_KINDS", "ERROR_META", "error_result"]

ERROR_META = "io.mcp-platform/error"
ERROR_KINDS = frozenset(
    {"denied", "unknown_tool", "invalid_arguments", "invalid_input", "rate_limited",
     "upstream_error", "tool_error", "internal"}
)  # fmt: skip


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
