"""Interop: FastMCP's own OAuth client, headless, against a platform server and this issuer.

The client discovers everything itself (RFC 9728 resource metadata -> RFC 8414 issuer
metadata), registers (RFC 7591), sends the person through /authorize with PKCE and
`resource`, and redeems the code. The only change (`platform_testkit.oauth.HeadlessOAuth`):
instead of opening a browser and waiting on a local callback server, the redirect goes to
`dev_idp.headless.sign_in`, which fills in the sign-in pages and hands back the callback URL.
The server verifies the token for its own resource URI as audience (RFC 8707), so the tool
call proves the whole chain. `tests/test_oauth_clients.py` does the same against every
server of the launched platform.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastmcp import Client

from dev_idp import IdpServer
from dev_idp.headless import fresh_otp, query_of
from mcp_common import CommonSettings, Toolset, create_server, current_principal
from mcp_common.auth import OIDCVerifier
from mcp_common.testing import StaticAuthorizer, StaticSecretStore
from platform_testkit.oauth import HeadlessOAuth
from simulator_kit.serve import free_port

pytestmark = pytest.mark.filterwarnings("ignore:Using in-memory token storage")


def headless(idp: IdpServer, identity: str, **options: Any) -> HeadlessOAuth:
    """FastMCP's OAuth client signing `identity` in at this issuer (with its code if MFA)."""
    otp = (lambda: fresh_otp(idp, identity)) if idp.has_otp(identity) else None
    return HeadlessOAuth(identity, idp.secret(identity), otp=otp, **options)


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
    auth = headless(idp, identity, client_name="FastMCP interop test")
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
        async with Client(url, auth=headless(root_idp, "developer")) as client:
            result = await client.call_tool("whoami", {})
    assert result.data["groups"] == ["developers"]
