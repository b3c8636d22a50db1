"""What each route does: policy on the proxy, the caller's own view of tools, one call each."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

from mcp_common.auth import Principal
from mcp_common.client import McpCallError, McpClient, ToolInfo, visibility_key
from mcp_common.observability import PlatformMetrics, get_logger

from .problems import ProxyProblem, from_mcp_error
from .registry import ServerRegistry
from .security import Gatekeeper
from .validation import ArgumentValidator

__all__ = ["ProxyService", "tool_view"]

_log = get_logger("mcp.rest_proxy")


def tool_view(tool: ToolInfo) -> dict[str, Any]:
    """A tool as the REST API shows it (`outputSchema` describes the call's `result`)."""
    view: dict[str, Any] = {"name": tool.name}
    if tool.title:
        view["title"] = tool.title
    view["description"] = tool.description
    view["inputSchema"] = tool.input_schema
    if tool.result_schema is not None:
        view["outputSchema"] = tool.result_schema
    view["annotations"] = tool.annotations
    return view


class ProxyService:
    """The proxy's behaviour, independent of HTTP framing."""

    def __init__(
        self,
        registry: ServerRegistry,
        gate: Gatekeeper,
        *,
        validator: ArgumentValidator | None = None,
        metrics: PlatformMetrics | None = None,
    ) -> None:
        self.registry = registry
        self.gate = gate
        self.validator = validator or ArgumentValidator()
        self.metrics = metrics

    async def servers(self, principal: Principal) -> dict[str, Any]:
        """The configured servers and whether each answers its health check."""
        await self.gate.authorize(principal, "read", server="*")
        health = await self.registry.health()
        return {
            "servers": [
                {
                    "name": name,
                    "status": "up" if health.get(name) else "down",
                    "tools_url": f"/api/v1/mcp/{name}/tools",
                }
                for name in self.registry.names
            ]
        }

    async def tools(
        self, principal: Principal, token: str, server: str, request_id: str
    ) -> dict[str, Any]:
        """The server's tools this caller may call (its own filtered tools/list)."""
        await self.gate.authorize(principal, "read", server=server)
        client = self.registry.get(server)
        tools = await self._caller_tools(client, principal, token, request_id)
        return {"server": server, "tools": [tool_view(t) for t in tools]}

    async def call(
        self,
        principal: Principal,
        token: str,
        server: str,
        tool: str,
        arguments: Mapping[str, Any],
        request_id: str,
    ) -> dict[str, Any]:
        """Check, then call `tool` for the caller (its token exchanged for the server, RFC 8693);
        every failure is a ProxyProblem."""
        # Entry ticket first, so a caller without proxy access causes no upstream traffic.
        await self.gate.authorize(principal, "read", server=server, audit=False)
        client = self.registry.get(server)
        info = await self._resolve(client, principal, token, tool, request_id)
        await self.gate.authorize(principal, info.action, server=server, tool=tool)
        self.validator.check(server, info, arguments)
        start = time.perf_counter()
        outcome = "error"
        upstream = await self.registry.upstream_token(token, client)
        try:
            result = await client.call_tool(tool, arguments, upstream, request_id=request_id)
            outcome = "success"
        except McpCallError as exc:
            outcome = exc.kind
            if self.metrics is not None:
                self.metrics.error(exc.kind)
            if exc.kind == "unknown_tool":
                client.forget()  # the lists we hold are stale
            if exc.kind == "unauthorized":
                self.registry.exchanger.invalidate(token, client.url)  # exchange anew next time
            raise from_mcp_error(exc, tool=tool) from None
        finally:
            if self.metrics is not None:
                self.metrics.tool_call(f"{server}/{tool}", outcome, time.perf_counter() - start)
        return {"status": "success", "result": result.value, "server": server, "tool": tool}

    async def caller_catalog(
        self, principal: Principal, token: str, request_id: str
    ) -> dict[str, list[ToolInfo]]:
        """Every server's tools as this caller sees them (unreachable servers: none)."""
        await self.gate.authorize(principal, "read", server="*")
        clients = list(self.registry)
        results = await asyncio.gather(
            *(self._caller_tools(c, principal, token, request_id) for c in clients),
            return_exceptions=True,
        )
        return {
            c.name: list(r) if isinstance(r, tuple) else []
            for c, r in zip(clients, results, strict=True)
        }

    async def _caller_tools(
        self, client: McpClient, principal: Principal, token: str, request_id: str, **kw: Any
    ) -> tuple[ToolInfo, ...]:
        upstream = await self.registry.upstream_token(token, client)
        try:
            return await client.list_tools(
                upstream, request_id=request_id, cache_key=visibility_key(principal), **kw
            )
        except McpCallError as exc:
            raise from_mcp_error(exc) from None

    async def _resolve(
        self, client: McpClient, principal: Principal, token: str, tool: str, request_id: str
    ) -> ToolInfo:
        """The tool's description, from the caller's own list (what the server shows them)."""
        found = _find(await self._caller_tools(client, principal, token, request_id), tool)
        if found is None:
            # Perhaps deployed since we last looked: re-read (at most once a second per
            # rights) before saying 404.
            fresh = await self._caller_tools(client, principal, token, request_id, max_age=1.0)
            found = _find(fresh, tool)
        if found is None:
            raise ProxyProblem(
                404,
                "unknown-tool",
                f"no tool '{tool[:64]}' on MCP server '{client.name}' (or it is not visible "
                "to you)",
                server=client.name,
                tool=tool[:64],
            )
        return found


def _find(tools: tuple[ToolInfo, ...], name: str) -> ToolInfo | None:
    for tool in tools:
        if tool.name == name:
            return tool
    return None
