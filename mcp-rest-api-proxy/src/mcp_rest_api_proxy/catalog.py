"""The tool catalog behind the typed OpenAPI document, read with the proxy's own identity.

At start there is no caller, hence no token: when a catalog identity is configured
(`MCP_PROXY_CLIENT_ID/SECRET`, client credentials at the platform's issuer), the proxy reads
every server's `tools/list` with it at start, every `catalog_refresh_seconds`, and soon after
a call names a tool it does not know. The identity only ever lists tools; calls always carry
the caller's own token.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import uuid
from collections.abc import Mapping
from urllib.parse import quote_plus

import httpx

from mcp_common.client import McpCallError, ToolInfo
from mcp_common.errors import AuthenticationError
from mcp_common.observability import get_logger, log_context

from .registry import ServerRegistry

__all__ = ["ServiceToken", "ToolCatalog"]

_log = get_logger("mcp.rest_proxy.catalog")


class ServiceToken:
    """An access token from the client-credentials grant, cached until shortly before expiry."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str,
        *,
        token_endpoint: str | None = None,
        timeout: float = 5.0,
    ) -> None:
        if not issuer.startswith(("http://", "https://")):
            raise ValueError("issuer must be an http(s) URL")
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret are required")
        self._issuer = issuer.rstrip("/")
        self._endpoint = token_endpoint
        # RFC 6749 2.3.1: form-urlencode both halves before Basic encoding.
        raw = f"{quote_plus(client_id)}:{quote_plus(client_secret)}".encode()
        self._basic = "Basic " + base64.b64encode(raw).decode("ascii")
        self._http = httpx.AsyncClient(timeout=timeout)
        self._token: tuple[float, str] | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """A valid access token (fetched when none is cached or it is about to expire)."""
        async with self._lock:
            if self._token is not None and self._token[0] > time.monotonic():
                return self._token[1]
            try:
                endpoint = self._endpoint or await self._discover()
                response = await self._http.post(
                    endpoint,
                    data={"grant_type": "client_credentials"},
                    headers={"Authorization": self._basic},
                )
                response.raise_for_status()
                body = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise AuthenticationError(
                    f"catalog identity could not get a token ({type(exc).__name__})"
                ) from None
            token = body.get("access_token")
            if not isinstance(token, str) or not token:
                raise AuthenticationError("token endpoint returned no access_token")
            lifetime = float(body.get("expires_in") or 300)
            self._token = (time.monotonic() + max(5.0, lifetime - 30.0), token)
            return token

    async def _discover(self) -> str:
        response = await self._http.get(f"{self._issuer}/.well-known/openid-configuration")
        response.raise_for_status()
        endpoint = response.json().get("token_endpoint")
        if not isinstance(endpoint, str):
            raise ValueError("issuer publishes no token_endpoint")
        self._endpoint = endpoint
        return endpoint

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()


class ToolCatalog:
    """Every server's tools as the catalog identity sees them; empty without one."""

    def __init__(
        self,
        registry: ServerRegistry,
        token: ServiceToken | None = None,
        *,
        refresh_seconds: float = 60.0,
        min_interval: float = 5.0,
    ) -> None:
        if refresh_seconds <= 0 or min_interval < 0:
            raise ValueError("refresh_seconds must be > 0 and min_interval >= 0")
        self._registry = registry
        self._token = token
        self._refresh_seconds = refresh_seconds
        self._min_interval = min_interval
        self._tools: dict[str, dict[str, ToolInfo]] = {}
        self._digest = ""
        self._last = -float("inf")
        self._lock = asyncio.Lock()
        self.version = 0  # bumped whenever the tools change (the OpenAPI cache key)

    @property
    def enabled(self) -> bool:
        """True when a catalog identity is configured."""
        return self._token is not None

    def lookup(self, server: str, tool: str) -> ToolInfo | None:
        """The tool, when the catalog knows it."""
        return self._tools.get(server, {}).get(tool)

    def snapshot(self) -> Mapping[str, list[ToolInfo]]:
        """Server name -> its tools (configuration order)."""
        return {name: list(self._tools.get(name, {}).values()) for name in self._registry.names}

    async def refresh(self, *, force: bool = True) -> bool:
        """Re-read every server's tools (a failing server keeps its last list); True if changed."""
        if self._token is None:
            return False
        async with self._lock:
            if not force and time.monotonic() - self._last < self._min_interval:
                return False
            self._last = time.monotonic()
            try:
                token = await self._token.get()
            except AuthenticationError as exc:
                _log.warning("catalog refresh skipped", extra={"error.message": str(exc)})
                return False
            clients = list(self._registry)
            results = await asyncio.gather(
                *(c.list_tools(token) for c in clients), return_exceptions=True
            )
            tools = dict(self._tools)
            for client, result in zip(clients, results, strict=True):
                if isinstance(result, McpCallError):
                    _log.warning(
                        "catalog: server not listed",
                        extra={"mcp.server": client.name, "error.message": str(result)},
                    )
                elif isinstance(result, BaseException):
                    _log.warning(
                        "catalog: server not listed",
                        extra={"mcp.server": client.name, "error.type": type(result).__name__},
                    )
                else:
                    tools[client.name] = {t.name: t for t in result}
            digest = _digest(tools)
            if digest == self._digest:
                return False
            self._tools, self._digest = tools, digest
            self.version += 1
            _log.info(
                "tool catalog changed",
                extra={"event.action": "catalog.refresh", "catalog.version": self.version},
            )
            return True

    async def run(self) -> None:
        """Refresh forever (cancel the task to stop); failures are logged, never raised."""
        while True:
            try:
                with log_context(**{"trace.id": f"catalog-{uuid.uuid4().hex[:12]}"}):
                    await self.refresh(force=True)
            except Exception as exc:  # keep refreshing whatever happens
                _log.warning("catalog refresh failed", extra={"error.type": type(exc).__name__})
            await asyncio.sleep(self._refresh_seconds)

    async def aclose(self) -> None:
        """Close the token client."""
        if self._token is not None:
            await self._token.aclose()


def _digest(tools: Mapping[str, Mapping[str, ToolInfo]]) -> str:
    data = {
        server: {
            name: [t.description, t.input_schema, t.output_schema, t.annotations, t.meta]
            for name, t in sorted(items.items())
        }
        for server, items in sorted(tools.items())
    }
    raw = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()
