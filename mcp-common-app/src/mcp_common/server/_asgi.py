"""Small ASGI pieces around the MCP app: request guard (Host, Origin, Authorization), body limit."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from http import HTTPStatus

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimitMiddleware", "RequestGuardMiddleware"]

_DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
# A whole Host value: a DNS name (or IPv4 address) or a bracketed IPv6 literal, then an
# optional all-digit port. Nothing else: no userinfo, no path, no trailing junk.
_HOST = re.compile(rf"(?P<name>{_LABEL}(?:\.{_LABEL})*\.?|\[(?P<ipv6>[0-9A-Fa-f:.]+)\])"
                   r"(?::(?P<port>[0-9]{1,5}))?")  # fmt: skip
_ORIGIN = re.compile(r"(?P<scheme>https?)://(?P<host>[^/?#@\s]+)")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _parse_host(value: str) -> tuple[str, int | None] | None:
    """`name[:port]` -> (lower-case name without brackets, port); None when malformed."""
    match = _HOST.fullmatch(value)
    if match is None:
        return None
    port = int(match["port"]) if match["port"] else None
    if port is not None and not 0 < port <= 65535:
        return None
    if match["ipv6"] is not None:
        try:
            ipaddress.IPv6Address(match["ipv6"])
        except ValueError:
            return None
        return match["ipv6"].lower(), port
    return match["name"].rstrip(".").lower(), port


def _is_loopback(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class _HostRule:
    """One allowed-host entry: `name`, `name:port`, `*.suffix` or `*` (anything)."""

    __slots__ = ("name", "port", "suffix")

    def __init__(self, entry: str) -> None:
        entry = entry.strip()
        self.suffix = entry.startswith("*.")
        if entry.count(":") > 1 and not entry.startswith("["):
            entry = f"[{entry}]"  # a bare IPv6 address such as ::1
        parsed = _parse_host(entry[2:] if self.suffix else entry) if entry != "*" else ("*", None)
        if parsed is None:
            raise ValueError(f"allowed host {entry!r} is not a host name, IP or name:port")
        self.name, self.port = parsed

    def matches(self, name: str, port: int | None) -> bool:
        if self.port is not None and port != self.port:
            return False
        if self.name == "*":
            return True
        if self.suffix:
            return name.endswith("." + self.name)
        return name == self.name


class RequestGuardMiddleware:
    """Refuses requests whose Host, Origin or Authorization header is ambiguous or not ours.

    Each comparison is exact (whole host name, whole origin; no prefix or pattern tricks such
    as `localhost:8000.evil.example` or `127.0.0.1:8000@evil.example`):
    - exactly one well-formed Host, else 400; a host not allowed, 421. Allowed: loopback names,
      `allowed_hosts` (`name`, `name:port`, `*.suffix`) and the address the server listens on;
    - at most one Origin: when present it must be exactly `scheme://host[:port]` and either
      in `allowed_origins`, the request's own origin, or loopback calling loopback, else 403;
    - at most one Authorization header, else 400: a second one is never silently ignored.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Iterable[str] = (),
        allowed_origins: Iterable[str] = (),
        problem_json: bool = False,
    ) -> None:
        self.app = app
        self._hosts = [_HostRule(h) for h in (*_DEFAULT_HOSTS, *allowed_hosts) if h]
        self._any_origin = False
        self._origins: set[str] = set()
        for origin in allowed_origins:
            if origin.strip() == "*":
                self._any_origin = True
                continue
            normalized = _normalize_origin(origin.strip().rstrip("/"))
            if normalized is None:
                raise ValueError(f"allowed origin {origin!r} is not scheme://host[:port]")
            self._origins.add(normalized)
        self._problem_json = problem_json

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        hosts: list[bytes] = []
        origins: list[bytes] = []
        authorizations = 0
        for name, value in scope.get("headers", ()):
            if name == b"host":
                hosts.append(value)
            elif name == b"origin":
                origins.append(value)
            elif name == b"authorization":
                authorizations += 1
        refusal = self._check(scope, hosts, origins, authorizations)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, kind, detail = refusal
        await _refuse(scope, receive, send, status, kind, detail, problem_json=self._problem_json)

    def _check(
        self, scope: Scope, hosts: list[bytes], origins: list[bytes], authorizations: int
    ) -> tuple[int, str, str] | None:
        if authorizations > 1:
            return 400, "invalid-request", "send exactly one Authorization header"
        if len(hosts) != 1:
            return 400, "invalid-host", "send exactly one Host header"
        host_text = hosts[0].decode("latin-1")
        parsed = _parse_host(host_text)
        if parsed is None:
            return 400, "invalid-host", "the Host header is not host[:port]"
        name, port = parsed
        if not self._host_allowed(scope, name, port):
            return 421, "misdirected-request", "this server does not answer for that Host"
        if len(origins) > 1:
            return 403, "forbidden-origin", "send at most one Origin header"
        if origins and not self._origin_allowed(scope, origins[0].decode("latin-1"), name, port):
            return 403, "forbidden-origin", "requests from this Origin are not accepted"
        return None

    def _host_allowed(self, scope: Scope, name: str, port: int | None) -> bool:
        if any(rule.matches(name, port) for rule in self._hosts):
            return True
        server = scope.get("server")
        if server and server[0] not in ("0.0.0.0", "::", ""):  # noqa: S104 - compared, not bound
            return name == str(server[0]).lower()
        return False

    def _origin_allowed(self, scope: Scope, origin: str, name: str, port: int | None) -> bool:
        normalized = _normalize_origin(origin)
        if normalized is None:
            return False  # "null", userinfo, a path, a port that is not a number...
        if self._any_origin or normalized in self._origins:
            return True
        scheme = str(scope.get("scheme") or "http")
        own_port = port if port is not None else _DEFAULT_PORTS.get(scheme)
        own = f"{scheme}://{_bracket(name)}:{own_port}"
        if normalized == own:
            return True
        origin_name = _parse_host(normalized.split("://", 1)[1])
        return origin_name is not None and _is_loopback(origin_name[0]) and _is_loopback(name)


def _bracket(name: str) -> str:
    return f"[{name}]" if ":" in name else name


def _normalize_origin(origin: str) -> str | None:
    """`scheme://host[:port]` -> `scheme://host:port` (lower case, explicit port); else None."""
    match = _ORIGIN.fullmatch(origin.strip())
    if match is None:
        return None
    parsed = _parse_host(match["host"])
    if parsed is None:
        return None
    scheme = match["scheme"].lower()
    name, port = parsed
    return f"{scheme}://{_bracket(name)}:{port if port is not None else _DEFAULT_PORTS[scheme]}"


async def _refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    kind: str,
    detail: str,
    *,
    problem_json: bool,
) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    if problem_json:
        state = scope.get("state") or {}
        payload: dict[str, object] = {
            "type": f"urn:mcp-platform:problem:{kind}",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
            "instance": str(scope.get("path", ""))[:256],
            "request_id": str(state.get("request_id", "")),
        }
        media = "application/problem+json"
    else:
        payload = {"error": kind.replace("-", "_"), "detail": detail}
        media = "application/json"
    headers = {"connection": "close"}
    if kind == "invalid-request":  # RFC 6750 3.1: a malformed bearer request
        headers["www-authenticate"] = 'Bearer error="invalid_request"'
    await JSONResponse(payload, status, headers, media)(scope, receive, send)


class BodyLimitMiddleware:
    """Refuses request bodies over `max_bytes` with 413 before the app reads them."""

    def __init__(self, app: ASGIApp, max_bytes: int = 1_048_576) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    await self._refuse(scope, receive, send)
                    return
        # Buffer (bounded) so a chunked body cannot exceed the limit either.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"body exceeds {self.max_bytes} bytes"
        response = JSONResponse({"error": "request_too_large", "detail": detail}, 413)
        await response(scope, receive, send)
