"""OpaqueTokenResolver: opaque access tokens resolved by RFC 7662 introspection or userinfo.

Against the development issuer (real HTTP, real opaque tokens); respx only stands in for
answers a working issuer never gives (bad JSON, an "active" token already expired).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx

from mcp_common.auth import OpaqueTokenResolver
from mcp_common.errors import AuthenticationError


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


@pytest.fixture(scope="module")
def discovery(idp: Any) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(idp.discovery_url).json()
    return document


@pytest.fixture
def introspection(
    idp: Any, http: httpx.AsyncClient, discovery: dict[str, Any]
) -> Callable[..., OpaqueTokenResolver]:
    """A resolver using introspection, authenticated as `client` (the admin client)."""

    def _make(client: str = "admin", secret: str | None = None) -> OpaqueTokenResolver:
        resolver = OpaqueTokenResolver(
            http,
            mode="introspection",
            client_id=client,
            client_secret=secret or idp.secret(client),
        )
        resolver.configure(discovery)
        return resolver

    return _make


@pytest.fixture
def userinfo(http: httpx.AsyncClient, discovery: dict[str, Any]) -> OpaqueTokenResolver:
    resolver = OpaqueTokenResolver(http, mode="userinfo", default_ttl=60)
    resolver.configure(discovery)
    return resolver


def opaque(idp: Any, identity: str = "developer", **claims: Any) -> str:
    if claims:
        return str(idp.mint(identity, token_format="opaque", **claims))
    return str(idp.token(identity, token_format="opaque"))


# --- set-up ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "credentials",
    [{}, {"client_id": "admin"}, {"client_secret": "s"}],
    ids=["none", "id-only", "secret-only"],
)
def test_introspection_needs_client_credentials(
    http: httpx.AsyncClient, credentials: dict[str, str]
) -> None:
    with pytest.raises(ValueError, match="client_id and client_secret"):
        OpaqueTokenResolver(http, mode="introspection", **credentials)


@pytest.mark.parametrize(
    ("mode", "missing"),
    [("introspection", "introspection_endpoint"), ("userinfo", "userinfo_endpoint")],
)
def test_an_issuer_without_the_endpoint_is_refused_at_configuration(
    http: httpx.AsyncClient, discovery: dict[str, Any], mode: Any, missing: str
) -> None:
    resolver = OpaqueTokenResolver(http, mode=mode, client_id="c", client_secret="s")
    without = {k: v for k, v in discovery.items() if k != missing}
    with pytest.raises(AuthenticationError, match=f"publishes no {missing}"):
        resolver.configure(without)


async def test_an_unconfigured_resolver_refuses_every_token(http: httpx.AsyncClient) -> None:
    resolver = OpaqueTokenResolver(http, mode="userinfo")
    with pytest.raises(AuthenticationError, match="not configured"):
        await resolver.resolve("anything")


# --- introspection -------------------------------------------------------------------------


async def test_introspection_gives_the_claims_of_an_active_token(
    idp: Any, introspection: Callable[..., OpaqueTokenResolver]
) -> None:
    claims = await introspection().resolve(opaque(idp, "network-engineer-mfa"))
    assert claims["active"] is True
    assert claims["groups"] == ["network-engineers"]
    assert claims["client_id"] == "network-engineer-mfa"
    assert time.time() < claims["exp"] <= time.time() + 301


@pytest.mark.parametrize(
    "token", ["never-issued", "expired"], ids=["unknown", "expired-at-the-issuer"]
)
async def test_introspection_refuses_a_token_the_issuer_says_is_not_active(
    idp: Any, introspection: Callable[..., OpaqueTokenResolver], token: str
) -> None:
    if token == "expired":
        token = opaque(idp, exp=int(time.time()) - 10, iat=int(time.time()) - 310)
    with pytest.raises(AuthenticationError, match="token is not active"):
        await introspection().resolve(token)


async def test_introspection_with_a_wrong_client_secret_is_refused(
    idp: Any, introspection: Callable[..., OpaqueTokenResolver]
) -> None:
    resolver = introspection(secret="not-the-secret")
    with pytest.raises(AuthenticationError, match="refused the token check"):
        await resolver.resolve(opaque(idp))


# --- userinfo ------------------------------------------------------------------------------


async def test_userinfo_gives_the_claims_and_a_short_expiry_of_its_own(
    idp: Any, userinfo: OpaqueTokenResolver
) -> None:
    claims = await userinfo.resolve(opaque(idp, "service-desk"))
    assert claims["preferred_username"] == "service-desk"
    # userinfo has no expiry: the answer is kept no longer than `default_ttl`.
    assert time.time() < claims["exp"] <= time.time() + 60


async def test_userinfo_refuses_a_token_the_issuer_does_not_know(
    userinfo: OpaqueTokenResolver,
) -> None:
    with pytest.raises(AuthenticationError, match="token is not active"):
        await userinfo.resolve("never-issued")


# --- the issuer failing ---------------------------------------------------------------------


async def test_an_unreachable_issuer_refuses_without_detail(http: httpx.AsyncClient) -> None:
    resolver = OpaqueTokenResolver(http, mode="userinfo")
    resolver.configure({"userinfo_endpoint": "http://127.0.0.1:1/userinfo"})
    with pytest.raises(AuthenticationError, match=r"^identity provider unreachable$"):
        await resolver.resolve("t")


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(200, text="<html>"), "bad answer"),
        (httpx.Response(200, json=["active"]), "bad answer"),
        (httpx.Response(500, json={"error": "oops"}), "refused the token check"),
        (httpx.Response(200, json={"active": "true", "sub": "a"}), "not active"),
        (httpx.Response(200, json={"active": True, "sub": "a", "exp": 1}), "token expired"),
    ],
    ids=["not-json", "not-an-object", "http-500", "active-not-boolean", "active-but-expired"],
)
async def test_answers_a_working_issuer_never_gives_are_refusals(
    http: httpx.AsyncClient, answer: httpx.Response, reason: str
) -> None:
    resolver = OpaqueTokenResolver(http, mode="introspection", client_id="c", client_secret="s")
    resolver.configure({"introspection_endpoint": "https://idp.test/introspect"})
    with respx.mock:
        respx.post("https://idp.test/introspect").mock(return_value=answer)
        with pytest.raises(AuthenticationError, match=reason):
            await resolver.resolve("t")
