"""The console's calls to the MCP servers, always as the signed-in person.

For each server the person's access token is exchanged at the issuer (RFC 8693, with the
console's own client credentials) for a token meant for that server only (`resource` = its
URI) that names the console in `act`; the server's policy then decides on the person's
rights and the console's together. The person's token itself never leaves the console.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mcp_common.auth import SubjectTokenRefused, TokenExchanger
from mcp_common.client import McpCallError, McpClient, ToolCallResult, ToolInfo
from mcp_common.errors import UpstreamError

from .people import SignInRequired

__all__ = ["Gateway", "ServerTools"]

SubjectToken = Callable[[], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class ServerTools:
    """One server's tools for one person, or why they could not be listed."""

    server: str
    tools: tuple[ToolInfo, ...] = ()
    error: McpCallError | None = None


class Gateway:
    """MCP clients of every configured server plus the token exchange in front of them."""

    def __init__(
        self,
        clients: Mapping[str, McpClient],
        resources: Mapping[str, str],
        exchanger: TokenExchanger,
    ) -> None:
        missing = set(clients) - set(resources)
        if missing:
            raise ValueError(f"servers without a resource URI: {sorted(missing)}")
        self.clients, self.resources, self.exchanger = dict(clients), dict(resources), exchanger

    @property
    def servers(self) -> tuple[str, ...]:
        """The configured servers' names, in configuration order."""
        return tuple(self.clients)

    def has(self, server: str) -> bool:
        """Whether `server` is configured."""
        return server in self.clients

    async def _token(self, server: str, subject: SubjectToken) -> str:
        person_token = await subject()
        try:
            return await self.exchanger.exchange(person_token, self.resources[server])
        except SubjectTokenRefused:
            raise SignInRequired() from None
        except UpstreamError as exc:
            raise McpCallError(
                f"the identity provider could not issue a token for {server}: {exc}",
                kind="unavailable",
                server="identity provider",
            ) from None

    async def _with_token(
        self, server: str, subject: SubjectToken, call: Callable[[str], Awaitable[Any]]
    ) -> Any:
        token = await self._token(server, subject)
        try:
            return await call(token)
        except McpCallError as exc:
            if exc.kind != "unauthorized":
                raise
            # Refused (keys rotated, token revoked): one fresh exchange, then give up.
            self.exchanger.invalidate(await subject(), self.resources[server])
            return await call(await self._token(server, subject))

    async def list_tools(self, server: str, subject: SubjectToken) -> ServerTools:
        """The tools this person may call on `server` (the server filters by policy)."""
        client = self.clients[server]
        try:
            tools = await self._with_token(server, subject, client.list_tools)
        except McpCallError as exc:
            return ServerTools(server, (), exc)
        return ServerTools(server, tuple(tools))

    async def all_tools(self, subject: SubjectToken) -> list[ServerTools]:
        """Every server's tools for this person, listed concurrently."""
        return list(await asyncio.gather(*(self.list_tools(s, subject) for s in self.clients)))

    async def tool(self, server: str, name: str, subject: SubjectToken) -> ToolInfo | None:
        """One tool's description, if this person may call it."""
        listed = await self.list_tools(server, subject)
        if listed.error is not None:
            raise listed.error
        return next((t for t in listed.tools if t.name == name), None)

    async def call(
        self, server: str, tool: str, arguments: Mapping[str, Any], subject: SubjectToken
    ) -> ToolCallResult:
        """Call a tool as the person; McpCallError explains any failure."""
        client = self.clients[server]

        async def run(token: str) -> ToolCallResult:
            return await client.call_tool(tool, arguments, token)

        result: ToolCallResult = await self._with_token(server, subject, run)
        return result

    async def aclose(self) -> None:
        """Close every connection pool."""
        for client in self.clients.values():
            await client.aclose()
        await self.exchanger.aclose()
