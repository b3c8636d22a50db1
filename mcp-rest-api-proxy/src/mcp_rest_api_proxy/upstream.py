"""A lean HTTP/1.1 keep-alive transport for httpx: the proxy's hot path to its MCP servers.

httpcore's pool rescans every connection (one socket probe each) whenever a request starts
or ends, so its cost grows with concurrency: at 16 concurrent calls it was most of the
proxy's CPU. Here idle connections wait in a stack per origin: a request takes the most
recently used one (or opens one), and gives it back when the answer is read. Connections
idle longer than `idle_seconds` (below uvicorn's 5 s keep-alive) are dropped, not reused.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass

import httpx

__all__ = ["KeepAliveTransport"]

_MAX_HEAD = 64 * 1024
# What a connection that broke mid-answer raises (the server closed, reset, or sent junk).
_BROKEN = (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError)


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    last_used: float

    def usable(self, now: float, idle_seconds: float) -> bool:
        return (
            now - self.last_used < idle_seconds
            and not self.reader.at_eof()
            and not self.writer.is_closing()
        )

    def close(self) -> None:
        self.writer.close()


class KeepAliveTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 with reused connections; raises httpx's own exceptions on failure."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        idle_seconds: float = 4.0,
        max_response_bytes: int = 32 * 1024 * 1024,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be >= 1")
        if idle_seconds <= 0 or max_response_bytes < 1024:
            raise ValueError("idle_seconds must be > 0 and max_response_bytes >= 1024")
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._idle_seconds = idle_seconds
        self._max_body = max_response_bytes
        self._ssl = ssl_context

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` on a pooled connection and read the whole answer."""
        timeouts = request.extensions.get("timeout", {})
        origin = (request.url.scheme, request.url.host, request.url.port or _port(request.url))
        try:
            async with asyncio.timeout(timeouts.get("pool")):
                await self._slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection", request=request) from None
        try:
            conn = await self._checkout(origin, timeouts.get("connect"), request)
            body = await request.aread()
            try:
                async with asyncio.timeout(timeouts.get("read")):
                    conn.writer.write(_head(request, body) + body)
                    status, headers, content, keep = await self._read(conn.reader, request)
            except BaseException as exc:
                conn.close()
                if isinstance(exc, TimeoutError):
                    raise httpx.ReadTimeout("no answer in time", request=request) from None
                if isinstance(exc, _BROKEN):
                    raise httpx.RemoteProtocolError(
                        f"connection failed mid-answer ({type(exc).__name__})", request=request
                    ) from None
                raise
            if keep:
                conn.last_used = time.monotonic()
                self._idle.setdefault(origin, []).append(conn)
            else:
                conn.close()
        finally:
            self._slots.release()
        return httpx.Response(
            status,
            headers=headers,
            content=content,
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def _checkout(
        self, origin: tuple[str, str, int], connect_timeout: float | None, request: httpx.Request
    ) -> _Connection:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            if conn.usable(now, self._idle_seconds):
                return conn
            conn.close()
        scheme, host, port = origin
        context = None
        if scheme == "https":
            context = self._ssl or ssl.create_default_context()
        try:
            async with asyncio.timeout(connect_timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=context, limit=_MAX_HEAD
                )
        except TimeoutError:
            raise httpx.ConnectTimeout("connect timed out", request=request) from None
        except OSError as exc:
            raise httpx.ConnectError(f"connect failed ({exc.strerror})", request=request) from None
        return _Connection(reader, writer, now)

    async def _read(
        self, reader: asyncio.StreamReader, request: httpx.Request
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head[:-4].split(b"\r\n")
        version, status_text = lines[0].split(b" ", 1)
        status = int(status_text[:3])
        headers: list[tuple[bytes, bytes]] = []
        length: int | None = None
        chunked = False
        keep = version == b"HTTP/1.1"
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip()
            headers.append((name, value))
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                keep = keep and b"close" not in value.lower()
        if request.method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return status, headers, b"", keep
        if chunked:
            content = await self._chunks(reader)
            headers = [(k, v) for k, v in headers if k != b"transfer-encoding"]
        elif length is not None:
            if length > self._max_body:
                raise ValueError("response too large")
            content = await reader.readexactly(length)
        else:
            content = await reader.read(self._max_body)  # until the server closes
            keep = False
        return status, headers, content, keep

    async def _chunks(self, reader: asyncio.StreamReader) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > self._max_body:
                raise ValueError("response too large")
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)

    async def aclose(self) -> None:
        """Close every idle connection."""
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()


def _port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _head(request: httpx.Request, body: bytes) -> bytes:
    target = request.url.raw_path or b"/"
    lines = [request.method.encode() + b" " + target + b" HTTP/1.1"]
    lines += [name + b": " + value for name, value in request.headers.raw]
    if body and "content-length" not in request.headers:
        lines.append(b"content-length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"
