"""A standard MCP client signs a person in and calls a tool on every server of `make up`.

FastMCP's own OAuth client (`platform_testkit.oauth.HeadlessOAuth`: FastMCP's `OAuth` with
the browser replaced by a headless one filling in the issuer's pages) against the platform as
the launcher runs it: it reads the server's RFC 9728 metadata, the issuer's RFC 8414
metadata, registers itself (RFC 7591), sends the person through /authorize with PKCE (S256)
and `resource` = that server's URL (RFC 8707), where the person types their password and,
being an MFA identity, a one-time code (TOTP); then it redeems the code and calls one read
tool. The server accepts the token only because its `aud` is its own URL, and the policy lets
the call through only with the groups (and MFA) of the person who signed in.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastmcp import Client

from dev_idp.headless import fresh_code, query_of
from dev_idp.identities import dev_secret, subject_for
from dev_idp.otp import current_code, totp_secret
from platform_launcher.platform import LocalPlatform
from platform_testkit.oauth import HeadlessOAuth

pytestmark = pytest.mark.filterwarnings("ignore:Using in-memory token storage")

# server -> (MFA identity signing in, a read tool, its arguments). Each identity signs in at
# most twice (each one-time code is accepted once: the current step's, then the next one's).
READS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "catalyst-center": ("network-engineer-mfa", "list_devices", {}),
    "radkit": ("network-engineer-mfa", "list_devices", {}),
    "servicenow": ("service-desk", "search_changes", {}),
    "github": ("admin", "list_repositories", {}),
    # No deployment to read yet: asking for one proves the call reached Temporal.
    "workflows": (
        "service-desk",
        "get_deployment_status",
        {"workflow_id": "template-deployment-00000000-no-such-run"},
    ),
}


def claims(token: str) -> dict[str, Any]:
    """A JWT's claims, unverified (the server verified it; this reads what it was bound to)."""
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


@pytest.mark.parametrize("server", list(READS))
async def test_fastmcp_oauth_client_signs_in_and_calls_a_read_tool(
    launched_platform: LocalPlatform, server: str
) -> None:
    identity, tool, arguments = READS[server]
    url = str(launched_platform.endpoints["servers"][server])
    issuer = launched_platform.issuer
    auth = HeadlessOAuth(
        identity,
        dev_secret(identity),  # what `make up` prints as the dev password
        otp=lambda: fresh_code(
            issuer, identity, lambda at: current_code(totp_secret(dev_secret(identity)), at)
        ),
        client_name="FastMCP OAuth interop test",
    )
    async with Client(url, auth=auth) as client:
        result = await client.call_tool(tool, arguments, raise_on_error=False)
    if server == "workflows":
        # Past authentication and policy, the tool itself looked the run up in Temporal.
        text = " ".join(getattr(part, "text", "") for part in result.content)
        assert result.is_error and arguments["workflow_id"] in text, text
        assert (result.meta or {})["io.mcp-platform/error"]["kind"] == "tool_error"
    else:
        assert not result.is_error, result.content
    (authorization_url,) = auth.authorization_urls
    params = query_of(authorization_url)
    assert params["resource"] == url  # RFC 8707: a token for this server only
    assert params["code_challenge_method"] == "S256" and params["response_type"] == "code"
    assert params["client_id"].startswith("dcr-")  # registered itself (RFC 7591)
    token = await auth.access_token()
    assert token is not None
    bound = claims(token)
    assert bound["aud"] in (url, [url]) and bound["iss"].rstrip("/") == issuer
    assert bound["sub"] == subject_for(identity) and "otp" in bound["amr"]
