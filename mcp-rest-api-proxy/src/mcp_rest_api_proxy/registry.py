"""The configured MCP servers: one pooled client each, and their health."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Mapping

from mcp_common.logging import get_logger
from mcp_common.mcp_client import McpClient

from .problems import ProxyProblem
from .settings import ProxySettings
from .upstream import KeepAliveTransport

__all__ = ["ServerRegistry"]

_log = get_logger("mcp.rest_proxy")


class ServerRegistry:
    """Name -> McpClient, fixed at start (from MCP_SERVERS)."""

    def __init__(self, clients: Mapping[str, McpClient], *, health_ttl: float = 5.0) -> None:
        if health_ttl < 0:
            raise ValueError("health_ttl must be >= 0")
        for name, client in clients.items():
            if client.name != name:
                raise ValueError(f"client {client.name!r} registered under {name!r}")
        self._clients = dict(clients)
        self._health_ttl = health_ttl
        self._health: tuple[float, dict[str, bool]] | None = None

    @classmethod
    def from_settings(cls, settings: ProxySettings) -> ServerRegistry:
        """One client per configured server, with the settings' timeout and pool size."""
        return cls(
            {
                name: McpClient(
                    name,
                    url,
                    timeout=settings.upstream_timeout,
                    max_connections=settings.upstream_max_connections,
                    list_cache_ttl=settings.tools_cache_ttl,
                    transport=KeepAliveTransport(max_connections=settings.upstream_max_connections),
                )
                for name, url in settings.servers.items()
            }
        )

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
        """Close every client's pool."""
        for client in self._clients.values():
            try:
                await client.aclose()
            except Exception as exc:
                _log.warning("close failed", extra={"error.type": type(exc).__name__})
