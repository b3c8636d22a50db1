"""RateLimitMiddleware: a per principal x tool limit on tool calls."""

from __future__ import annotations

import mcp_types as mt
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools.base import ToolResult

from mcp_common.auth._principal import current_principal
from mcp_common.errors import RateLimitExceeded
from mcp_common.observability._metrics import PlatformMetrics
from mcp_common.server._rate_limit import RateLimiter

__all__ = ["RateLimitMiddleware"]


class RateLimitMiddleware(Middleware):
    """Per principal x tool limit on tool calls (discovery is never limited)."""

    def __init__(self, limiter: RateLimiter, metrics: PlatformMetrics | None = None) -> None:
        self._limiter = limiter
        self._metrics = metrics

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        principal = current_principal()
        who = principal.subject if principal else "anonymous"
        wait = await self._limiter.hit(f"{who}:{context.message.name}")
        if wait > 0:
            if self._metrics is not None:
                self._metrics.rate_limited.labels(context.message.name).inc()
            raise RateLimitExceeded(context.message.name, wait)
        return await call_next(context)
