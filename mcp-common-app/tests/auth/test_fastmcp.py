"""build_auth_provider: our verifier inside FastMCP, end to end over HTTP.

A bare FastMCP server guarded by the provider, served on 127.0.0.1, with tokens from the
development issuer: who the tools see, 401 + WWW-Authenticate, RFC 9728 metadata, and the
outcome metrics. Nothing else of the platform (no policy, no middleware) is in the way.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import jwt
import pytest
from fastmcp import Client, FastMCP
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.server.auth import RemoteAuthProvider
from prometheus_client import CollectorRegistry

from mcp_common.auth import (
    OIDCVerifier,
    PlatformAccessToken,
    Principal,
    build_auth_provider,
    principal_from_request,
)
from mcp_common.observability import PlatformMetrics
from simulator_kit.serve import free_port

RESOURCE_NAME = "Demo MCP server"


class ExplodingVerifier:
    """A verifier with a bug: it raises something other than AuthenticationError."""

    async def verify(self, token: str) -> Principal:
        raise RuntimeError(f"bug while looking at {token[:4]}")

    async def ready(self) -> bool:
        return True

    async def aclose(self) -> None:
        pass


def whoami_server(provider: RemoteAuthProvider) -> FastMCP[Any]:
    mcp: FastMCP[Any] = FastMCP("demo", auth=provider)

    @mcp.tool
    def whoami() -> dict[str, Any]:
        """The caller as the tool sees it."""
        principal = principal_from_request()
        assert principal is not None
        return {
            "subject": principal.subject,
            "groups": sorted(principal.groups),
            "mfa": principal.mfa,
            "client_id": principal.client_id,
        }

    return mcp


@pytest.fixture
async def verifier(idp: Any) -> AsyncIterator[OIDCVerifier]:
    v = OIDCVerifier(idp.issuer, idp.audience)
    yield v
    await v.aclose()


@pytest.fixture(scope="module")
def metrics() -> PlatformMetrics:
    return PlatformMetrics("demo", CollectorRegistry())


@pytest.fixture(scope="module")
def server(idp: Any, metrics: PlatformMetrics, serve: Callable[..., Any]) -> str:
    """The guarded server's base URL (its MCP endpoint is /mcp)."""
    # The verifier's connections live on the server thread's event loop, and end with it.
    verifier = OIDCVerifier(idp.issuer, idp.audience)
    base = f"http://127.0.0.1:{free_port()}"
    provider = build_auth_provider(
        verifier, issuer=idp.issuer, base_url=base, resource_name=RESOURCE_NAME, metrics=metrics
    )
    serve(whoami_server(provider).http_app(path="/mcp"), int(base.rsplit(":", 1)[1]))
    return base


def outcomes(metrics: PlatformMetrics) -> dict[str, float]:
    return {
        outcome: metrics.registry.get_sample_value("mcp_authentication_total", {"outcome": outcome})
        or 0.0
        for outcome in ("success", "failure", "error")
    }


async def post_initialize(url: str, token: str | None) -> httpx.Response:
    headers = {"Accept": "application/json, text/event-stream"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    async with httpx.AsyncClient(timeout=10) as http:
        return await http.post(url, json=body, headers=headers)


# --- over HTTP ------------------------------------------------------------------------------


async def test_tools_see_the_principal_of_the_verified_token(idp: Any, server: str) -> None:
    token = idp.token("network-engineer-mfa")
    async with Client(StreamableHttpTransport(f"{server}/mcp", auth=token)) as client:
        result = await client.call_tool("whoami", {})
    assert result.data == {
        "subject": jwt.decode(token, options={"verify_signature": False})["sub"],
        "groups": ["network-engineers"],
        "mfa": True,
        "client_id": "network-engineer-mfa",
    }


async def test_without_a_token_the_answer_is_401_pointing_at_the_resource_metadata(
    idp: Any, server: str
) -> None:
    response = await post_initialize(f"{server}/mcp", None)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    metadata_url = challenge.split('resource_metadata="', 1)[1].split('"', 1)[0]
    assert metadata_url.startswith(server)
    async with httpx.AsyncClient(timeout=10) as http:
        metadata = (await http.get(metadata_url)).json()
    assert metadata["resource"].rstrip("/") == f"{server}/mcp"
    assert [a.rstrip("/") for a in metadata["authorization_servers"]] == [idp.issuer]
    assert metadata["resource_name"] == RESOURCE_NAME


@pytest.mark.parametrize(
    "defect",
    [
        {"aud": "another-server"},
        {"exp": int(time.time()) - 600, "iat": int(time.time()) - 900},
        {"sign_with": "unknown-key"},
    ],
    ids=["other-audience", "expired", "bad-signature"],
)
async def test_a_defective_token_is_401_and_counted_as_a_failure(
    idp: Any, server: str, metrics: PlatformMetrics, defect: dict[str, Any]
) -> None:
    before = outcomes(metrics)
    response = await post_initialize(f"{server}/mcp", idp.mint("admin", **defect))
    assert response.status_code == 401
    assert "invalid_token" in response.headers["www-authenticate"]
    after = outcomes(metrics)
    assert after["failure"] == before["failure"] + 1
    assert after["success"] == before["success"]


async def test_a_good_token_is_counted_as_a_success(
    idp: Any, server: str, metrics: PlatformMetrics
) -> None:
    before = outcomes(metrics)
    response = await post_initialize(f"{server}/mcp", idp.token("developer"))
    assert response.status_code == 200
    assert outcomes(metrics)["success"] == before["success"] + 1


# --- the adapter ----------------------------------------------------------------------------


async def test_the_access_token_carries_the_principal_and_its_scopes_and_expiry(
    idp: Any, verifier: OIDCVerifier
) -> None:
    provider = build_auth_provider(
        verifier, issuer=idp.issuer, base_url="http://127.0.0.1:9", resource_name="x"
    )
    token = idp.token("service-desk")
    access = await provider.verify_token(token)
    assert isinstance(access, PlatformAccessToken)
    principal = access.principal
    assert principal is not None and principal.groups == {"service-desk"}
    assert access.subject == principal.subject
    assert access.client_id == "service-desk"
    assert access.scopes == sorted(principal.scopes)
    assert access.expires_at == int(principal.expires_at or 0) > time.time()
    assert access.token == token


async def test_a_verifier_bug_refuses_the_token_and_is_counted_as_an_error(
    idp: Any, caplog: pytest.LogCaptureFixture
) -> None:
    metrics = PlatformMetrics("demo", CollectorRegistry())
    provider = build_auth_provider(
        ExplodingVerifier(),
        issuer=idp.issuer,
        base_url="http://127.0.0.1:9",
        resource_name="x",
        metrics=metrics,
    )
    assert await provider.verify_token("abcd-token") is None
    assert outcomes(metrics) == {"success": 0.0, "failure": 0.0, "error": 1.0}
    warning = next(r for r in caplog.records if r.getMessage() == "token verification error")
    assert vars(warning)["error.type"] == "RuntimeError"
    assert "abcd" not in caplog.text


async def test_without_metrics_verification_still_works(idp: Any, verifier: OIDCVerifier) -> None:
    provider = build_auth_provider(
        verifier, issuer=idp.issuer, base_url="http://127.0.0.1:9", resource_name="x"
    )
    assert await provider.verify_token("not-a-token") is None
    assert await provider.verify_token(idp.token("admin")) is not None


def test_outside_a_request_there_is_no_principal() -> None:
    assert principal_from_request() is None
