"""AuthorizationMiddleware: policy on every call; tools/list shows only what may be called."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import mcp_types as mt
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools.base import Tool, ToolResult

from mcp_common.auth._principal import Principal, current_principal
from mcp_common.errors import AuthorizationDenied, UnknownTool
from mcp_common.observability._logging import audit
from mcp_common.policy._authorizer import AuthorizationRequest, CachingAuthorizer
from mcp_common.server._toolset import ToolSpec

__all__ = ["AuthorizationMiddleware"]


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
        principal = current_principal()
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
            raise UnknownTool(name)
        principal = current_principal()
        resource = spec.resource or self._resource
        if principal is None:
            raise AuthorizationDenied(spec.action, resource, name)
        decision = await self._authorizer.authorize(
            self._request(principal, spec, context.message.arguments)
        )
        if not decision.allowed:
            raise AuthorizationDenied(spec.action, resource, name, decision.reasons)
        return await call_next(context)
