"""TokenExchanger against the real dev issuer's RFC 8693 grant; respx only for its failures."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import jwt
import pytest
import respx

from dev_idp import IdpServer
from dev_idp.identities import subject_for
from mcp_common.auth import OIDCVerifier, SubjectTokenRefused, TokenExchanger
from mcp_common.errors import AuthenticationError, UpstreamError

CC = "http://127.0.0.1:8002/mcp"
SN = "http://127.0.0.1:8080/mcp"


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def exchanger_for(idp: IdpServer, client: str = "rest-api-proxy", **options: Any) -> TokenExchanger:
    return TokenExchanger(idp.issuer, client, idp.secret(client), **options)


async def test_the_exchanged_token_is_the_person_s_for_the_resource_naming_the_actor(
    idp: IdpServer,
) -> None:
    person = idp.token("service-desk", resource="http://127.0.0.1:8001")
    exchanger = exchanger_for(idp)
    token = await exchanger.exchange(person, SN)
    got = claims(token)
    assert got["sub"] == subject_for("service-desk") and got["aud"] == SN
    assert got["act"] == {"sub": "rest-api-proxy"}
    assert got["exp"] <= claims(person)["exp"]  # never outlives the person's token
    # The server for that resource accepts it, and sees the person and the actor chain.
    verifier = OIDCVerifier(idp.issuer, SN)
    principal = await verifier.verify(token)
    assert principal.subject == subject_for("service-desk")
    assert principal.groups == {"service-desk"} and principal.actors == ("rest-api-proxy",)
    # ... and no other server does.
    with pytest.raises(AuthenticationError, match="audience"):
        await OIDCVerifier(idp.issuer, CC).verify(token)
    await verifier.aclose()
    await exchanger.aclose()


async def test_a_chain_nests_the_previous_actor(idp: IdpServer) -> None:
    person = idp.token("network-engineer-mfa")
    first = await exchanger_for(idp, "rest-api-proxy").exchange(person, CC)
    second = claims(await exchanger_for(idp, "temporal-worker").exchange(first, SN))
    assert second["act"] == {"sub": "temporal-worker", "act": {"sub": "rest-api-proxy"}}


async def test_tokens_are_cached_per_subject_and_resource_and_fetched_once_for_many_callers(
    idp: IdpServer,
) -> None:
    clock = Clock()
    exchanger = exchanger_for(idp, clock=clock)
    alice, bob = idp.token("service-desk"), idp.token("admin")
    same = await asyncio.gather(*(exchanger.exchange(alice, SN) for _ in range(20)))
    assert len(set(same)) == 1 and exchanger.requests == 1
    assert await exchanger.exchange(alice, SN) == same[0] and exchanger.requests == 1
    assert await exchanger.exchange(alice, CC) != same[0] and exchanger.requests == 2
    assert claims(await exchanger.exchange(bob, SN))["sub"] == subject_for("admin")
    assert exchanger.requests == 3
    # Refreshed 30 s (the margin) before expiry: the exchanged token lives at most as long
    # as the subject token still does (300 s for the dev issuer, a little less here).
    lifetime = claims(same[0])["exp"] - claims(same[0])["iat"]
    clock.now += lifetime - 32
    assert await exchanger.exchange(alice, SN) == same[0] and exchanger.requests == 3
    clock.now += 4
    await exchanger.exchange(alice, SN)
    assert exchanger.requests == 4
    exchanger.invalidate(alice, SN)
    await exchanger.exchange(alice, SN)
    assert exchanger.requests == 5
    await exchanger.aclose()


async def test_a_refused_subject_token_is_an_authentication_error(idp: IdpServer) -> None:
    exchanger = exchanger_for(idp)
    expired = idp.mint("admin", exp=int(time.time()) - 60, iat=int(time.time()) - 120)
    with pytest.raises(SubjectTokenRefused, match="refused to exchange"):
        await exchanger.exchange(expired, SN)
    workload = idp.token("temporal-worker")  # a workload's own token is no person's
    with pytest.raises(SubjectTokenRefused):
        await exchanger.exchange(workload, SN)
    with pytest.raises(SubjectTokenRefused):
        await exchanger.exchange("", SN)
    await exchanger.aclose()


async def test_a_client_that_may_not_exchange_is_a_platform_fault(idp: IdpServer) -> None:
    person = idp.token("developer")
    for exchanger in (
        exchanger_for(idp, "developer"),  # a person's client may not exchange
        TokenExchanger(idp.issuer, "rest-api-proxy", "wrong-secret"),
    ):
        with pytest.raises(UpstreamError) as caught:
            await exchanger.exchange(person, SN)
        assert caught.value.backend == "idp" and not isinstance(caught.value, AuthenticationError)
        await exchanger.aclose()


ISSUER = "http://idp.test"
TOKEN_URL = f"{ISSUER}/token"


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (httpx.Response(503, json={"error": "temporarily_unavailable"}), "http"),
        (httpx.Response(429), "http"),
        (httpx.ConnectError("refused"), "network"),
        (httpx.ReadTimeout("slow"), "timeout"),
        (httpx.Response(200, text="not json"), "error"),
        (httpx.Response(200, json={"token_type": "Bearer"}), "error"),
        (httpx.Response(200, json={"access_token": "x", "issued_token_type": "saml"}), "error"),
    ],
)
@respx.mock
async def test_an_issuer_that_is_down_or_answers_nonsense_is_an_upstream_error(
    response: Any, kind: str
) -> None:
    route = respx.post(TOKEN_URL)
    if isinstance(response, Exception):
        route.mock(side_effect=response)
    else:
        route.mock(return_value=response)
    exchanger = TokenExchanger(ISSUER, "rest-api-proxy", "s", token_endpoint=TOKEN_URL)
    with pytest.raises(UpstreamError) as caught:
        await exchanger.exchange("subject", SN)
    assert caught.value.backend == "idp" and caught.value.kind == kind
    await exchanger.aclose()


@respx.mock
async def test_the_request_is_rfc_8693_with_client_credentials() -> None:
    route = respx.post(TOKEN_URL).mock(
        return_value=httpx.Response(200, json={"access_token": "t", "expires_in": 60})
    )
    exchanger = TokenExchanger(ISSUER, "rest api/proxy", "s:ecret", token_endpoint=TOKEN_URL)
    assert await exchanger.exchange("subject", SN) == "t"
    sent = route.calls.last.request
    form = dict(httpx.QueryParams(sent.content.decode()))
    assert form == {
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": "subject",
        "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "resource": SN,
    }
    assert (
        sent.headers["authorization"]
        == httpx.BasicAuth("rest+api%2Fproxy", "s%3Aecret")._auth_header
    )
    await exchanger.aclose()


@respx.mock
async def test_discovery_finds_the_token_endpoint_once() -> None:
    discovery = respx.get(f"{ISSUER}/.well-known/openid-configuration").mock(
        return_value=httpx.Response(200, json={"issuer": ISSUER, "token_endpoint": TOKEN_URL})
    )
    respx.post(TOKEN_URL).mock(return_value=httpx.Response(200, json={"access_token": "t"}))
    exchanger = TokenExchanger(ISSUER, "rest-api-proxy", "s")
    await exchanger.exchange("a", SN)
    await exchanger.exchange("b", SN)
    assert discovery.call_count == 1
    await exchanger.aclose()


@pytest.mark.parametrize(
    "options",
    [
        {"issuer": "idp.test"},
        {"client_id": ""},
        {"refresh_margin": -1},
        {"timeout": 0},
        {"max_entries": 0},
        {"token_endpoint": "ftp://x"},
    ],
)
def test_bad_settings_are_refused(options: dict[str, Any]) -> None:
    values: dict[str, Any] = {"issuer": ISSUER, "client_id": "c", "client_secret": "s", **options}
    with pytest.raises(ValueError):
        TokenExchanger(**values)
