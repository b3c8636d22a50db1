"""ErrorMiddleware: every failed tool call becomes a clear MCP tool error, mapped by type."""

from __future__ import annotations

from fastmcp.exceptions import (
    AuthorizationError,
    FastMCPError,
    NotFoundError,
    ToolError,
    ValidationError,
)
from fastmcp.tools.base import ToolResult

from mcp_common.errors import (
    AuthorizationDenied,
    InvalidInput,
    PlatformError,
    RateLimitExceeded,
    UnknownTool,
    UpstreamError,
)
from mcp_common.observability._logging import get_logger
from mcp_common.observability._metrics import PlatformMetrics
from mcp_common.server._tool_call import ToolCallContext, ToolCallMiddleware, ToolCallNext
from mcp_common.server._tool_errors import error_result

__all__ = ["ErrorMiddleware"]

_log = get_logger("mcp.calls")


def _raised(exc: Exception) -> Exception:
    """The error to answer for: FastMCP wraps what a tool raises in a ToolError."""
    if isinstance(exc, ToolError) and isinstance(exc.__cause__, PlatformError):
        return exc.__cause__
    return exc


class ErrorMiddleware(ToolCallMiddleware):
    """Outermost: every failure becomes a clear MCP tool error; nothing internal leaks.

    Refusals of the chain (unknown tool, denied, rate limited, invalid arguments) are answers,
    not failures: only the errors of tool bodies are counted in the error metric.
    """

    def __init__(self, metrics: PlatformMetrics | None = None) -> None:
        self._metrics = metrics

    async def on_call_tool(self, context: ToolCallContext, call_next: ToolCallNext) -> ToolResult:
        try:
            return await call_next(context)
        except Exception as exc:
            return self._result(_raised(exc))

    def _result(self, exc: Exception) -> ToolResult:
        match exc:
            case UnknownTool() | NotFoundError():
                return error_result(str(exc), "unknown_tool")
            case AuthorizationDenied(action=action, resource=resource):
                return error_result(str(exc), "denied", action=action, resource=resource)
            case AuthorizationError():
                return error_result(str(exc), "denied")
            case RateLimitExceeded(retry_after=retry_after):
                return error_result(str(exc), "rate_limited", retry_after=retry_after)
            case ValidationError():
                return error_result(str(exc), "invalid_arguments")
            case UpstreamError():
                self._count(exc.kind)
                return error_result(
                    str(exc),
                    "upstream_error",
                    backend=exc.backend,
                    status=exc.status,
                    retry_after=exc.retry_after,
                    reason=exc.kind,
                )
            case InvalidInput():
                return error_result(str(exc), "invalid_input")
            case PlatformError():
                self._count(type(exc).__name__)
                return error_result(str(exc), "tool_error")
            case FastMCPError():
                return error_result(str(exc), "tool_error")
            case _:
                self._count("internal")
                _log.error(
                    "unexpected error in tool call",
                    extra={"event.action": "mcp.tool.call", "error.type": type(exc).__name__},
                )
                return error_result(
                    "Internal error; the platform team can trace it in the logs", "internal"
                )

    def _count(self, kind: str) -> None:
        if self._metrics is not None:
            self._metrics.error(kind)
