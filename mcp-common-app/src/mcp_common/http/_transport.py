"""The pooled HTTP transport under every backend and MCP client: aiohttp's pool, bounded.

httpcore's `AsyncConnectionPool` rescans its whole queue of waiting requests for every
request it assigns, which is quadratic once hundreds wait, and nothing bounds that queue
(ARCHITECTURE section 7). aiohttp's connector hands a freed connection to the next waiter in
constant time; `PooledTransport` adds what neither has: a bound on the calls waiting for a
connection. Past `max_connections + max_waiting` calls in flight, a call fails at once with
`PoolFull` (an `httpx.PoolTimeout`) instead of joining a queue it would only time out in.

aiohttp's exceptions are mapped to httpx's by what they say about the request, which the
retry logic relies on: a connect failure (nothing sent, safe to resend any method) is a
`ConnectError`/`ConnectTimeout`; a connection lost after sending is a `RemoteProtocolError`
or `ReadError` (resent only when idempotent).
"""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

__all__ = ["PoolFull", "PooledTransport"]


class PoolFull(httpx.PoolTimeout):
    """Every connection is busy and the wait queue is full: nothing was sent."""


def _mapped(exc: BaseException, request: httpx.Request) -> httpx.TransportError | None:
    """httpx's exception for an aiohttp one (None when it is not aiohttp's)."""
    message = f"{type(exc).__name__}: {exc}"[:300]
    if isinstance(exc, aiohttp.ClientConnectorError):  # incl. certificate and DNS failures
        return httpx.ConnectError(message, request=request)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message, request=request)
    if isinstance(exc, aiohttp.SocketTimeoutError | aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(message, request=request)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientResponseError):
        return httpx.RemoteProtocolError(message, request=request)
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ClientOSError):
        return httpx.ReadError(message, request=request)
    if isinstance(exc, aiohttp.ClientError):
        return httpx.RemoteProtocolError(message, request=request)
    return None


class PooledTransport(httpx.AsyncBaseTransport):
    """httpx over aiohttp's connection pool, with a bounded wait for a connection."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        max_waiting: int = 200,
        keepalive_seconds: float = 4.0,
        verify: ssl.SSLContext | bool = True,
        proxy: str | None = None,
    ) -> None:
        if max_connections < 1:
            raise ValueError(f"max_connections must be >= 1, got {max_connections}")
        if max_waiting < 0:
            raise ValueError(f"max_waiting must be >= 0, got {max_waiting}")
        if keepalive_seconds <= 0:
            raise ValueError("keepalive_seconds must be > 0")
        self.max_connections = max_connections
        self.max_waiting = max_waiting
        self.in_flight = 0
        self.verify = verify
        self._keepalive = keepalive_seconds
        self._proxy = proxy
        self._inner: AiohttpTransport | None = None

    def _session(self) -> aiohttp.ClientSession:
        # Made on first use: an aiohttp session belongs to the running event loop.
        tls: ssl.SSLContext | bool = self.verify if self.verify is not True else True
        connector = aiohttp.TCPConnector(
            limit=self.max_connections,
            limit_per_host=0,
            # Below the servers' keep-alive (uvicorn: 5 s), so a reused connection is open.
            keepalive_timeout=self._keepalive,
            ssl=tls,
            # The platform talks to a handful of hosts; resolve each once a minute at most.
            ttl_dns_cache=60,
        )
        return aiohttp.ClientSession(
            connector=connector,
            trust_env=False,
            skip_auto_headers=("User-Agent", "Accept-Encoding"),
            # httpx decodes; aiohttp passes the bytes through.
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` on a pooled connection, or raise PoolFull when too many wait."""
        if self.in_flight >= self.max_connections + self.max_waiting:
            raise PoolFull(
                f"{self.in_flight} calls in flight for {self.max_connections} connections",
                request=request,
            )
        if self._inner is None:
            proxy = httpx.Proxy(self._proxy) if self._proxy else None
            self._inner = AiohttpTransport(client=self._session, proxy=proxy)
        self.in_flight += 1
        try:
            return await self._inner.handle_async_request(request)
        except httpx.TransportError as exc:
            mapped = _mapped(exc.__cause__, request) if exc.__cause__ is not None else None
            if mapped is None:
                raise
            raise mapped from exc.__cause__
        except aiohttp.ClientError as exc:  # raised outside httpx-aiohttp's own mapping
            mapped = _mapped(exc, request)
            assert mapped is not None
            raise mapped from exc
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        """Close the session and its connections."""
        if self._inner is not None:
            await self._inner.aclose()
            self._inner = None

    def __repr__(self) -> str:
        extra: dict[str, Any] = {"max_connections": self.max_connections}
        extra["max_waiting"] = self.max_waiting
        return f"PooledTransport({extra})"
