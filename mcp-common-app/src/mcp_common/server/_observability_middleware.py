"""ObservabilityMiddleware: the request's caller and id, one log line and one metric per call."""

from __future__ import annotations

import time
import uuid
from typing import Any

from fastmcp.server.dependencies import get_http_request
from fastmcp.server.middleware import CallNext, MiddlewareContext
from fastmcp.tools.base import ToolResult

from mcp_common.auth._fastmcp import principal_from_request
from mcp_common.auth._principal import use_principal
from mcp_common.errors import AuthorizationDenied
from mcp_common.observability._logging import get_logger, log_context
from mcp_common.observability._metrics import PlatformMetrics
from mcp_common.server._tool_call import ToolCallContext, ToolCallMiddleware, ToolCallNext

__all__ = ["ObservabilityMiddleware"]

_log = get_logger("mcp.calls")
_REQUEST_ID_HEADER = "x-request-id"


def _request_id() -> str:
    try:
        supplied = get_http_request().headers.get(_REQUEST_ID_HEADER, "")
    except RuntimeError:
        supplied = ""
    # Accept a caller's id only when it is short and plain, so it cannot forge log lines.
    if supplied and len(supplied) <= 128 and supplied.replace("-", "").isalnum():
        return supplied
    return uuid.uuid4().hex


class ObservabilityMiddleware(ToolCallMiddleware):
    """Resolves the caller once per request; request id and user in every log line.

    The verified Principal is read from the access token here, once, and made current
    (`current_principal()`) for the rest of the chain and the tool body.
    """

    def __init__(self, metrics: PlatformMetrics | None = None) -> None:
        self._metrics = metrics

    async def on_request(
        self,
        context: MiddlewareContext[Any],
        call_next: CallNext[Any, Any],
    ) -> Any:
        principal = principal_from_request()
        fields = {
            "trace.id": _request_id(),
            "user.id": principal.subject if principal else None,
            "user.roles": sorted(principal.groups) if principal else None,
            "on_behalf_of": principal.on_behalf_of if principal else None,
            "user.actors": list(principal.actors) if principal and principal.actors else None,
        }
        with log_context(**fields), use_principal(principal):
            return await call_next(context)

    async def on_call_tool(self, context: ToolCallContext, call_next: ToolCallNext) -> ToolResult:
        name = context.message.name
        start = time.perf_counter()
        status = "error"
        try:
            result = await call_next(context)
            status = "error" if getattr(result, "is_error", False) else "success"
            return result
        except AuthorizationDenied:
            status = "denied"
            raise
        finally:
            seconds = time.perf_counter() - start
            if self._metrics is not None:
                self._metrics.tool_call(name, status, seconds)
            # The reference design's log_mcp_call line, with ECS names beside.
            _log.info(
                "MCP tool executed",
                extra={
                    "tool_name": name,
                    "duration_ms": round(seconds * 1000, 3),
                    "status": status,
                    "service_type": "mcp_server",
                    "event.action": "mcp.tool.call",
                    "event.outcome": "success" if status == "success" else "failure",
                    "event.duration": int(seconds * 1e9),
                },
            )
