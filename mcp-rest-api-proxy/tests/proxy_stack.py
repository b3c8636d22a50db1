"""The real stack the proxy's tests run against, on 127.0.0.1.

The development issuer (root `idp` fixture), MCP servers built with `mcp_common.create_server`
over the real policy file, each accepting only tokens for its own resource URI, and the proxy
itself served by uvicorn, exchanging each caller's token per server (RFC 8693) as the
`rest-api-proxy` workload. Each server counts the `tools/call` requests it receives, so tests
can prove that nothing was sent.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from dev_idp import IdpServer
from mcp_common import CommonSettings, Toolset, create_server, current_principal
from mcp_common.auth import OIDCVerifier, TokenExchanger
from mcp_common.errors import UpstreamError
from mcp_common.http import CircuitBreaker
from mcp_common.network import check_command
from mcp_common.policy import RegoAuthorizer
from mcp_common.server import InMemoryRateLimiter
from mcp_common.testing import StaticSecretStore
from platform_testkit import resource_token
from simulator_kit.serve import BackgroundServer

__all__ = [
    "CallCounter",
    "McpServer",
    "ProxyStack",
    "closed_port",
    "demo_tools",
    "exchanger",
    "free_port",
    "github_tools",
    "limited_tools",
    "start_server",
]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_port() -> int:
    """A port nothing listens on (bound and released: connection refused)."""
    return free_port()


def exchanger(idp: IdpServer) -> TokenExchanger:
    """The proxy's token exchange at the dev issuer, as the `rest-api-proxy` workload."""
    return TokenExchanger(idp.issuer, "rest-api-proxy", idp.secret("rest-api-proxy"))


class Echo(BaseModel):
    """What `echo` returns."""

    text: str
    times: int


class Filter(BaseModel):
    """A nested input model (its schema lands in `$defs`)."""

    field: str = Field(min_length=1, max_length=20)
    values: list[str] = Field(default_factory=list, max_length=5)


def demo_tools() -> Toolset:
    """Demo tools: identity, structured and text results, nested input, failures, delay."""
    ts = Toolset("demo")

    @ts.tool(action="read")
    async def whoami() -> dict[str, Any]:
        """Who the MCP server thinks is calling."""
        p = current_principal()
        assert p is not None
        return {"subject": p.subject, "groups": sorted(p.groups)}

    @ts.tool(action="read")
    async def echo(text: str = Field(max_length=100), times: int = Field(1, ge=1, le=3)) -> Echo:
        """Echo a text."""
        return Echo(text=text, times=times)

    @ts.tool(action="read")
    async def count_matches(where: Filter, limit: int = Field(10, ge=1, le=50)) -> int:
        """Count records matching a filter (a nested model in the input)."""
        return min(limit, len(where.values))

    @ts.tool(action="read")
    async def shout(text: str = Field(max_length=50)) -> str:
        """Upper-case a text (a plain string result)."""
        return text.upper()

    @ts.tool(action="write")
    async def change_config(line: str = Field(max_length=200)) -> str:
        """Pretend to change a device configuration."""
        return f"applied: {line}"

    @ts.tool(action="read")
    async def fail() -> str:
        """Always fails the way a backend failure looks."""
        raise UpstreamError(
            "inventory returned HTTP 500 Internal Server Error: disk on fire", backend="inventory"
        )

    @ts.tool(action="read")
    async def slow(seconds: float = Field(ge=0, le=5)) -> str:
        """Answers after a delay."""
        await asyncio.sleep(seconds)
        return "done"

    @ts.tool(action="read")
    async def run_show(command: str = Field(max_length=300)) -> str:
        """Check a device command against the read-only CLI guard (refusals are bad input)."""
        return check_command(command)

    breaker = CircuitBreaker("inventory", failure_threshold=1, reset_timeout=30)
    breaker.acquire().failure()  # the backend failed: its circuit is open

    @ts.tool(action="read")
    async def backend_down() -> str:
        """Fails the way a call to a backend behind an open circuit fails."""
        breaker.acquire()
        return "unreachable"

    return ts


def github_tools() -> Toolset:
    """A small GitHub-like server (the developers' resource)."""
    ts = Toolset("github")

    @ts.tool(action="read")
    async def list_repos(org: str = Field(max_length=39)) -> list[str]:
        """Repositories of an organisation."""
        return [f"{org}/platform", f"{org}/docs"]

    @ts.tool(action="write")
    async def create_issue(
        repo: str = Field(max_length=100), title: str = Field(max_length=80)
    ) -> dict[str, Any]:
        """Open an issue."""
        return {"repo": repo, "title": title, "number": 1}

    return ts


def limited_tools() -> Toolset:
    """One tool behind a tight server-side rate limit."""
    ts = Toolset("limited")

    @ts.tool(action="read")
    async def ping() -> str:
        """Pong."""
        return "pong"

    return ts


class CallCounter:
    """ASGI wrapper counting the `tools/call` requests that reach an MCP server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.calls = 0
        self.initializes = 0
        self.connections: set[tuple[str, int]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        self.calls += b'"tools/call"' in body
        self.initializes += b'"initialize"' in body
        client = scope.get("client")
        if client:
            self.connections.add((str(client[0]), int(client[1])))
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


@dataclass
class McpServer:
    """A running MCP server."""

    name: str
    url: str
    counter: CallCounter


def start_server(
    serve: Callable[..., BackgroundServer],
    idp: IdpServer,
    policy_path: Path,
    *,
    name: str,
    resource: str,
    toolsets: Sequence[Toolset],
    rate_limit_per_minute: int = 0,
) -> McpServer:
    """An MCP server built with create_server: real issuer, real policy, stateless JSON; it
    accepts only tokens for its own resource URI (its URL)."""
    port = free_port()
    settings = CommonSettings(
        port=port,
        service_name=name,
        oidc_issuer=idp.issuer,
        secrets_backend="file",
        secrets_file="unused",
        policy_path=str(policy_path),
        rate_limit_per_minute=0,
    )
    platform = create_server(
        settings,
        name=name,
        resource=resource,
        toolsets=toolsets,
        verifier=OIDCVerifier(idp.issuer, settings.token_audience, jwks_min_refresh=0),
        authorizer=RegoAuthorizer(policy_path),
        secrets=StaticSecretStore({}),
        rate_limiter=InMemoryRateLimiter(rate_limit_per_minute) if rate_limit_per_minute else None,
    )
    counter = CallCounter(platform.http_app())
    server = serve(counter, port)
    assert f"{server.url}/mcp" == settings.token_audience
    return McpServer(name, f"{server.url}/mcp", counter)


@dataclass
class ProxyStack:
    """The running proxy, the servers behind it, and the issuer for tokens."""

    url: str
    idp: IdpServer
    servers: dict[str, McpServer] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    def token(self, identity: str) -> str:
        """A demo identity's token for the proxy (its resource, RFC 8707), cached for the
        module: they live 5 minutes."""
        if identity not in self._tokens:
            self._tokens[identity] = resource_token(self.idp, identity, self.url)
        return self._tokens[identity]

    def headers(self, identity: str | None, **extra: str) -> dict[str, str]:
        """Authorization for `identity` (none when None) plus extra headers."""
        auth = {"Authorization": f"Bearer {self.token(identity)}"} if identity else {}
        return {**auth, **extra}

    def get(self, path: str, identity: str | None = "admin", **headers: str) -> httpx.Response:
        """GET a proxy path as `identity`."""
        return httpx.get(f"{self.url}{path}", headers=self.headers(identity, **headers), timeout=10)

    def call(
        self,
        server: str,
        tool: str,
        arguments: dict[str, Any] | None = None,
        identity: str | None = "admin",
        **headers: str,
    ) -> httpx.Response:
        """POST a tool call as `identity`."""
        return httpx.post(
            f"{self.url}/api/v1/mcp/{server}/tools/{tool}",
            json={"arguments": arguments or {}},
            headers=self.headers(identity, **headers),
            timeout=10,
        )
