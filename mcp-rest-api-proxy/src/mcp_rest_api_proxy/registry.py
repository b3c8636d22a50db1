"""The configured MCP servers: one pooled client each, the token exchange for them, health."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Mapping

from mcp_common.auth import SubjectTokenRefused, TokenExchanger
from mcp_common.client import McpClient
from mcp_common.errors import UpstreamError
from mcp_common.observability import get_logger

from .problems import ProxyProblem
from .settings import ProxySettings

__all__ = ["ServerRegistry"]

_log = get_logger("mcp.rest_proxy")


class ServerRegistry:
    """Name -> McpClient, fixed at start (from MCP_SERVERS), and the proxy's token exchanger.

    There is no passthrough: every upstream token comes from the exchanger (RFC 8693).
    """

    def __init__(
        self,
        clients: Mapping[str, McpClient],
        *,
        exchanger: TokenExchanger,
        health_ttl: float = 5.0,
    ) -> None:
        if health_ttl < 0:
            raise ValueError("health_ttl must be >= 0")
        for name, client in clients.items():
            if client.name != name:
                raise ValueError(f"client {client.name!r} registered under {name!r}")
        self._clients = dict(clients)
        self._health_ttl = health_ttl
        self._health: tuple[float, dict[str, bool]] | None = None
        self.exchanger = exchanger

    @classmethod
    def from_settings(cls, settings: ProxySettings) -> ServerRegistry:
        """One client per configured server, with the settings' timeout and pool size."""
        exchanger = TokenExchanger(
            str(settings.oidc_issuer),
            settings.exchange_client_id,
            settings.exchange_client_secret.get_secret_value(),
            token_endpoint=settings.proxy_token_endpoint,
            timeout=settings.oidc_http_timeout,
        )
        return cls(
            {
                name: McpClient(
                    name,
                    url,
                    timeout=settings.upstream_timeout,
                    max_connections=settings.upstream_max_connections,
                    list_cache_ttl=settings.tools_cache_ttl,
                )
                for name, url in settings.servers.items()
            },
            exchanger=exchanger,
        )

    async def upstream_token(self, token: str, client: McpClient) -> str:
        """The token to send `client`'s server: the caller's, exchanged for that server.

        Its resource is the server's URL. A refused caller token is a 401 problem; an IdP
        that is down a 503, one that refuses the proxy a 502. Never the caller's own token.
        """
        try:
            return await self.exchanger.exchange(token, client.url)
        except SubjectTokenRefused as exc:
            raise ProxyProblem(
                401,
                "unauthorized",
                str(exc),
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from None
        except UpstreamError as exc:
            status = 503 if exc.kind in ("network", "timeout", "http") else 502
            raise ProxyProblem(
                status, "identity-provider", f"token exchange failed: {exc}", server=client.name
            ) from None

    def get(self, name: str) -> McpClient:
        """The client for `name`; 404 problem when no such server is configured."""
        client = self._clients.get(name)
        if client is None:
            raise ProxyProblem(
                404, "unknown-server", f"no MCP server named '{name[:64]}'", server=name[:64]
            )
        return client

    def __iter__(self) -> Iterator[McpClient]:
        return iter(self._clients.values())

    def __len__(self) -> int:
        return len(self._clients)

    @property
    def names(self) -> list[str]:
        """Configured server names, in configuration order."""
        return list(self._clients)

    async def health(self) -> dict[str, bool]:
        """Each server's health (checked concurrently, reused for a few seconds)."""
        now = time.monotonic()
        if self._health is not None and now - self._health[0] < self._health_ttl:
            return self._health[1]
        results = await asyncio.gather(*(c.health() for c in self._clients.values()))
        health = dict(zip(self._clients, results, strict=True))
        self._health = (now, health)
        return health

    async def aclose(self) -> None:
        """Close every client's pool (and the exchanger's)."""
        await self.exchanger.aclose()
        for client in self._clients.values():
            try:
                await client.aclose()
            except Exception as exc:
                _log.warning("close failed", extra={"error.type": type(exc).__name__})
