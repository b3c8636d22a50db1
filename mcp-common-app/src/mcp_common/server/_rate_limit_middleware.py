"""RateLimitMiddleware: a per principal x tool limit on tool calls."""

from __future__ import annotations

from fastmcp.tools.base import ToolResult

from mcp_common.auth._principal import current_principal
from mcp_common.errors import RateLimitExceeded
from mcp_common.observability._metrics import PlatformMetrics
from mcp_common.server._rate_limit import RateLimiter
from mcp_common.server._tool_call import ToolCallContext, ToolCallMiddleware, ToolCallNext

__all__ = ["RateLimitMiddleware"]


class RateLimitMiddleware(ToolCallMiddleware):
    """Per principal x tool limit on tool calls (discovery is never limited)."""

    def __init__(self, limiter: RateLimiter, metrics: PlatformMetrics | None = None) -> None:
        self._limiter = limiter
        self._metrics = metrics

    async def on_call_tool(self, context: ToolCallContext, call_next: ToolCallNext) -> ToolResult:
        principal = current_principal()
        who = principal.subject if principal else "anonymous"
        wait = await self._limiter.hit(f"{who}:{context.message.name}")
        if wait > 0:
            if self._metrics is not None:
                self._metrics.rate_limited.labels(context.message.name).inc()
            raise RateLimitExceeded(context.message.name, wait)
        return await call_next(context)
