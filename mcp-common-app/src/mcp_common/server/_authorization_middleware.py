"""AuthorizationMiddleware: policy on every call; tools/list shows only what may be called."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import mcp_types as mt
from fastmcp.server.middleware import CallNext, MiddlewareContext
from fastmcp.tools.base import Tool, ToolResult

from mcp_common.auth._principal import Principal, current_principal
from mcp_common.errors import AuthorizationDenied, PlatformError, UnknownTool
from mcp_common.observability._logging import audit, get_logger
from mcp_common.policy._authorizer import AuthorizationRequest, CachingAuthorizer, PolicyFacts
from mcp_common.server._tool_call import ToolCallContext, ToolCallMiddleware, ToolCallNext
from mcp_common.server._toolset import ToolSpec

__all__ = ["AuthorizationMiddleware"]

_log = get_logger(__name__)


class AuthorizationMiddleware(ToolCallMiddleware):
    """Policy on every call; tools/list shows only what the caller may call. Fails closed."""

    def __init__(
        self,
        authorizer: CachingAuthorizer,
        *,
        server: str,
        resource: str,
        specs: Mapping[str, ToolSpec],
        facts: PolicyFacts | None = None,
    ) -> None:
        self._authorizer = authorizer
        self._server = server
        self._resource = resource
        self._specs = dict(specs)
        self._facts = facts

    def _request(
        self,
        principal: Principal,
        spec: ToolSpec,
        arguments: Mapping[str, Any] | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> AuthorizationRequest:
        return AuthorizationRequest(
            principal=principal,
            server=self._server,
            resource=spec.resource or self._resource,
            action=spec.action,
            tool=spec.name,
            arguments=arguments or {},
            facts=facts or {},
        )

    async def _facts_for(
        self, principal: Principal, spec: ToolSpec, arguments: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        """The server's facts for this call; a failure to get them refuses the call."""
        if self._facts is None:
            return {}
        try:
            return dict(await self._facts.facts(principal, spec.name, arguments))
        except PlatformError as exc:
            reason = str(exc)  # safe to show by the hierarchy's contract
        except Exception as exc:  # fail closed, without the unexpected error's text
            _log.warning("policy facts failed", extra={"error.type": type(exc).__name__})
            reason = "the facts this call needs could not be read"
        resource = spec.resource or self._resource
        audit(
            "authorization.decision",
            "failure",
            **{
                "user.id": principal.subject,
                "user.roles": sorted(principal.groups),
                "user.mfa": principal.mfa,
                "user.actors": list(principal.actors),
                "authz.resource": resource,
                "authz.action": spec.action,
                "authz.tool": spec.name,
                "authz.decision": "deny",
                "authz.engine": "facts",
                "authz.reason": reason,
                "authz.cached": False,
            },
        )
        raise AuthorizationDenied(spec.action, resource, spec.name, (reason,))

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

    async def on_call_tool(self, context: ToolCallContext, call_next: ToolCallNext) -> ToolResult:
        name = context.message.name
        spec = self._specs.get(name)
        if spec is None:
            raise UnknownTool(name)
        principal = current_principal()
        resource = spec.resource or self._resource
        if principal is None:
            raise AuthorizationDenied(spec.action, resource, name)
        arguments = context.message.arguments or {}
        facts = await self._facts_for(principal, spec, arguments)
        decision = await self._authorizer.authorize(
            self._request(principal, spec, arguments, facts)
        )
        if not decision.allowed:
            raise AuthorizationDenied(spec.action, resource, name, decision.reasons)
        return await call_next(context)
