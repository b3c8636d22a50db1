"""A small platform server served over HTTP on 127.0.0.1, for the middleware specifications.

Real FastMCP server, real streamable HTTP transport, real `fastmcp.Client`; the verifier,
the policy engine and the secret store are the test doubles of `mcp_common.testing`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from mcp_common import CommonSettings, Principal, Toolset, UpstreamError, current_principal
from mcp_common.errors import ConfigurationError
from mcp_common.observability import PlatformMetrics, current_log_context
from mcp_common.server import PlatformServer, RateLimiter, create_server
from mcp_common.testing import StaticAuthorizer, StaticSecretStore, StaticVerifier
from simulator_kit.serve import free_port

ALICE = Principal("alice", frozenset({"network-engineers"}), mfa=True)
BOB = Principal("bob", frozenset({"service-desk"}))
TOKENS = {"alice-token": ALICE, "bob-token": BOB}
RESOURCE = "demo"


def demo_tools() -> Toolset:
    """One tool per outcome the chain has to answer for."""
    ts = Toolset("demo")

    @ts.tool(action="read")
    async def whoami() -> dict[str, Any]:
        """The caller as the tool body sees it, and the request's log context."""
        p = current_principal()
        context = current_log_context()
        return {"subject": p.subject if p else None, "trace": context.get("trace.id")}

    @ts.tool(action="read")
    async def add(a: int, b: int) -> int:
        """Adds."""
        return a + b

    @ts.tool(action="write")
    async def change(line: str) -> str:
        """Writes."""
        return f"applied: {line}"

    @ts.tool(action="read")
    async def busy_backend() -> str:
        """The backend answers 503 with a Retry-After."""
        raise UpstreamError("demo returned HTTP 503", backend="demo", status=503, retry_after=7.0,
                            kind="http")  # fmt: skip

    @ts.tool(action="read")
    async def misconfigured() -> str:
        """A platform error that is not the backend's."""
        raise ConfigurationError("secret 'api/demo' lacks base_url")

    @ts.tool(action="read")
    async def crash() -> str:
        """An unexpected failure, with something secret in it."""
        raise RuntimeError("boom with password=hunter2")

    return ts


def demo_platform(
    *,
    port: int = 8000,
    authorizer: StaticAuthorizer | None = None,
    rate_limiter: RateLimiter | None = None,
    metrics: PlatformMetrics | None = None,
) -> PlatformServer:
    """The demo server (resource `demo`), alice and bob its known callers."""
    settings = CommonSettings(
        port=port,
        oidc_issuer="http://127.0.0.1:1",
        oidc_audience="test",
        secrets_backend="file",
        secrets_file="unused.json",
        service_name="demo",
    )
    return create_server(
        settings,
        name="demo-server",
        resource=RESOURCE,
        toolsets=[demo_tools()],
        verifier=StaticVerifier(TOKENS),
        authorizer=authorizer or StaticAuthorizer(),
        secrets=StaticSecretStore({}),
        rate_limiter=rate_limiter,
        metrics=metrics,
    )


@pytest.fixture(scope="module")
def build_demo() -> Callable[..., PlatformServer]:
    """Build the demo server without serving it (for in-process clients)."""
    return demo_platform


@pytest.fixture(scope="module")
def start_server(serve: Any) -> Callable[..., str]:
    """Start a demo server over HTTP; returns its MCP URL."""

    def start(**options: Any) -> str:
        port = free_port()
        platform = demo_platform(port=port, **options)
        return f"{serve(platform.http_app(), port).url}/mcp"

    return start


@pytest.fixture(scope="module")
def connect() -> Callable[..., Client[Any]]:
    """An MCP client of a demo server presenting a token (alice's by default)."""

    def make(url: str, token: str = "alice-token", headers: dict[str, str] | None = None):
        return Client(StreamableHttpTransport(url, auth=token, headers=headers))

    return make
