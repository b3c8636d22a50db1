"""Interop: FastMCP's own OAuth client, headless, against a platform server and this issuer.

The client discovers everything itself (RFC 9728 resource metadata -> RFC 8414 issuer
metadata), registers (RFC 7591), sends the person through /authorize with PKCE and
`resource`, and redeems the code. The only change: instead of opening a browser and
waiting on a local callback server, the redirect goes to `dev_idp.headless.sign_in`, which
fills in the sign-in pages and hands back the callback URL. The server verifies the token
for its own resource URI as audience (RFC 8707), so the tool call proves the whole chain.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.auth import OAuth
from key_value.aio.stores.memory import MemoryStore
from mcp.shared.auth import AuthorizationCodeResult

from dev_idp import IdpServer
from dev_idp.headless import fresh_otp, query_of, sign_in
from mcp_common import CommonSettings, Toolset, create_server, current_principal
from mcp_common.auth import OIDCVerifier
from mcp_common.testing import StaticAuthorizer, StaticSecretStore
from simulator_kit.serve import free_port

pytestmark = pytest.mark.filterwarnings("ignore:Using in-memory token storage")


class HeadlessOAuth(OAuth):
    """FastMCP's OAuth client with the browser replaced by the headless sign-in."""

    def __init__(self, idp: IdpServer, identity: str, **options: Any) -> None:
        super().__init__(token_storage=MemoryStore(), **options)
        self.idp, self.identity = idp, identity
        self.callback_url = ""
        self.authorization_urls: list[str] = []

    async def redirect_handler(self, authorization_url: str) -> None:
        self.authorization_urls.append(authorization_url)
        otp = (
            (lambda: fresh_otp(self.idp, self.identity))
            if self.idp.has_otp(self.identity)
            else None
        )
        self.callback_url = await asyncio.to_thread(
            sign_in, authorization_url, self.identity, self.idp.secret(self.identity), otp=otp
        )

    async def callback_handler(self) -> AuthorizationCodeResult:
        query = query_of(self.callback_url)
        if "code" not in query:
            raise RuntimeError(f"authorization failed: {query.get('error')}")
        return AuthorizationCodeResult(
            code=query["code"], state=query.get("state"), iss=query.get("iss")
        )


def whoami_tools() -> Toolset:
    tools = Toolset("demo")

    @tools.tool(action="read")
    async def whoami() -> dict[str, Any]:
        """The caller as the server sees it."""
        principal = current_principal()
        assert principal is not None
        return {
            "subject": principal.subject,
            "mfa": principal.mfa,
            "groups": sorted(principal.groups),
        }

    return tools


def platform_server(idp: IdpServer, serve: Callable[..., Any]) -> str:
    """A platform server whose audience is its own resource URI; its MCP URL."""
    port = free_port()
    resource = f"http://127.0.0.1:{port}/mcp"
    settings = CommonSettings(
        port=port,
        oidc_issuer=idp.issuer,
        oidc_audience=resource,
        secrets_backend="file",
        secrets_file="unused.json",
        rate_limit_per_minute=0,
        service_name="demo",
    )
    platform = create_server(
        settings,
        name="demo",
        resource="demo",
        toolsets=[whoami_tools()],
        verifier=OIDCVerifier(idp.issuer, resource, jwks_min_refresh=0),
        authorizer=StaticAuthorizer(),
        secrets=StaticSecretStore({}),
    )
    return f"{serve(platform.http_app(), port).url}/mcp"


@pytest.fixture(scope="module")
def mcp_url(idp: IdpServer, serve: Callable[..., Any]) -> str:
    return platform_server(idp, serve)


@pytest.fixture(scope="module")
def idp() -> Any:
    # Any resource URI is valid here (the server's port is only known later). The issuer has
    # a path, as Keycloak's: a root issuer reaches clients with a trailing slash through the
    # server's resource metadata (pydantic's AnyHttpUrl), which the MCP client refuses.
    port = free_port()
    with IdpServer(issuer=f"http://127.0.0.1:{port}/realms/mcp", port=port) as server:
        yield server


@pytest.mark.parametrize(
    ("identity", "mfa"), [("network-engineer", False), ("network-engineer-mfa", True)]
)
async def test_fastmcp_oauth_client_signs_in_and_calls_a_tool(
    identity: str, mfa: bool, idp: IdpServer, mcp_url: str
) -> None:
    auth = HeadlessOAuth(idp, identity, client_name="FastMCP interop test")
    async with Client(mcp_url, auth=auth) as client:
        result = await client.call_tool("whoami", {})
    assert result.data["mfa"] is mfa
    assert result.data["groups"] == ["network-engineers"]
    (url,) = auth.authorization_urls
    params = query_of(url)
    assert params["resource"] == mcp_url
    assert params["code_challenge_method"] == "S256"
    assert params["client_id"].startswith("dcr-")


async def test_a_root_issuer_works_too(serve: Callable[..., Any]) -> None:
    with IdpServer() as root_idp:
        url = platform_server(root_idp, serve)
        async with Client(url, auth=HeadlessOAuth(root_idp, "developer")) as client:
            result = await client.call_tool("whoami", {})
    assert result.data["groups"] == ["developers"]
