"""The MCP middleware chain, in fixed order: errors, observability, rate limit, authorization."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import mcp_types as mt
from fastmcp.exceptions import (
    AuthorizationError,
    FastMCPError,
    NotFoundError,
    ToolError,
    ValidationError,
)
from fastmcp.server.dependencies import get_http_request
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools.base import Tool, ToolResult

from .authorizer import AuthorizationRequest, CachingAuthorizer
from .errors import AuthorizationDenied, PlatformError, UpstreamError
from .fastmcp_auth import principal_from_request
from .logging import audit, get_logger, log_context
from .metrics import PlatformMetrics
from .principal import Principal, use_principal
from .rate_limit import RateLimiter
from .tool_errors import RateLimitExceeded, error_result
from .toolset import ToolSpec

__all__ = [
    "AuthorizationMiddleware",
    "ErrorMiddleware",
    "ObservabilityMiddleware",
    "RateLimitMiddleware",
]

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


class ErrorMiddleware(Middleware):
    """Outermost: every failure becomes a clear MCP tool error; nothing internal leaks."""

    def __init__(self, metrics: PlatformMetrics | None = None) -> None:
        self._metrics = metrics

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        try:
            return await call_next(context)
        except NotFoundError as exc:
            return error_result(str(exc), "unknown_tool")
        except AuthorizationError as exc:
            denied = exc.__cause__ if isinstance(exc.__cause__, AuthorizationDenied) else None
            return error_result(
                str(exc),
                "denied",
                action=denied.action if denied else None,
                resource=denied.resource if denied else None,
            )
        except RateLimitExceeded as exc:
            return error_result(str(exc), "rate_limited", retry_after=exc.retry_after)
        except ValidationError as exc:
            return error_result(str(exc), "invalid_arguments")
        except ToolError as exc:
            if isinstance(exc.__cause__, PlatformError):
                return self._platform_error(exc.__cause__)
            return error_result(str(exc), "tool_error")
        except PlatformError as exc:
            return self._platform_error(exc)
        except FastMCPError as exc:
            return error_result(str(exc), "tool_error")
        except Exception as exc:
            if self._metrics is not None:
                self._metrics.error("internal")
            _log.error(
                "unexpected error in tool call",
                extra={"event.action": "mcp.tool.call", "error.type": type(exc).__name__},
            )
            return error_result(
                "Internal error; the platform team can trace it in the logs", "internal"
            )

    def _platform_error(self, exc: PlatformError) -> ToolResult:
        self._count(exc)
        if isinstance(exc, UpstreamError):
            return error_result(
                str(exc),
                "upstream_error",
                backend=exc.backend,
                status=exc.status,
                retry_after=exc.retry_after,
            )
        return error_result(str(exc), "tool_error")

    def _count(self, exc: PlatformError) -> None:
        if self._metrics is not None:
            kind = exc.kind if isinstance(exc, UpstreamError) else type(exc).__name__
            self._metrics.error(kind)


class ObservabilityMiddleware(Middleware):
    """Request id and user in every log line; one log line and one metric per tool call."""

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
        }
        with log_context(**fields), use_principal(principal):
            return await call_next(context)

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        name = context.message.name
        start = time.perf_counter()
        status = "error"
        try:
            result = await call_next(context)
            status = "error" if getattr(result, "is_error", False) else "success"
            return result
        except AuthorizationError:
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
        principal = principal_from_request()
        who = principal.subject if principal else "anonymous"
        wait = await self._limiter.hit(f"{who}:{context.message.name}")
        if wait > 0:
            if self._metrics is not None:
                self._metrics.rate_limited.labels(context.message.name).inc()
            raise RateLimitExceeded(context.message.name, wait)
        return await call_next(context)


class AuthorizationMiddleware(Middleware):
    """Policy on every call; tools/list shows only what the caller may call. Fails closed."""

    def __init__(
        self,
        authorizer: CachingAuthorizer,
        *,
        server: str,
        resource: str,
        specs: Mapping[str, ToolSpec],
    ) -> None:
        self._authorizer = authorizer
        self._server = server
        self._resource = resource
        self._specs = dict(specs)

    def _request(
        self, principal: Principal, spec: ToolSpec, arguments: Mapping[str, Any] | None = None
    ) -> AuthorizationRequest:
        return AuthorizationRequest(
            principal=principal,
            server=self._server,
            resource=spec.resource or self._resource,
            action=spec.action,
            tool=spec.name,
            arguments=arguments or {},
        )

    async def on_list_tools(
        self,
        context: MiddlewareContext[mt.ListToolsRequest],
        call_next: CallNext[mt.ListToolsRequest, Sequence[Tool]],
    ) -> Sequence[Tool]:
        tools = await call_next(context)
        principal = principal_from_request()
        if principal is None:
            return []
        visible: list[Tool] = []
        for item in tools:
            spec = self._specs.get(item.name)
            if spec is None:
                continue  # undeclared tools are never shown
            decision = await self._authorizer.authorize(
                self._request(principal, spec), audit_event=False
            )
            if decision.allowed:
                visible.append(item)
        audit(
            "authorization.list_tools",
            "success",
            **{
                "user.id": principal.subject,
                "user.roles": sorted(principal.groups),
                "authz.resource": self._resource,
                "authz.visible": [t.name for t in visible],
                "authz.engine": self._authorizer.name,
            },
        )
        return visible

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        name = context.message.name
        spec = self._specs.get(name)
        if spec is None:
            raise NotFoundError(f"Unknown tool: {name!r}")
        principal = principal_from_request()
        resource = spec.resource or self._resource
        if principal is None:
            denied = AuthorizationDenied(spec.action, resource, name)
            raise AuthorizationError(str(denied)) from denied
        decision = await self._authorizer.authorize(
            self._request(principal, spec, context.message.arguments)
        )
        if not decision.allowed:
            denied = AuthorizationDenied(spec.action, resource, name)
            raise AuthorizationError(str(denied)) from denied
        return await call_next(context)
