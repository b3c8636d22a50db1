"""Token exchange (RFC 8693): workloads swap a person's token for one meant for a server."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest

from dev_idp import IdpServer
from dev_idp.exchange import ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE
from dev_idp.headless import PublicClient
from dev_idp.identities import subject_for
from mcp_common.auth import principal_from_claims

TARGET = "http://127.0.0.1:18003/mcp"


def claims_of(idp: IdpServer, token: str, audience: str = TARGET) -> dict[str, Any]:
    key = jwt.PyJWKClient(idp.jwks_uri).get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(
        token, key.key, algorithms=["RS256"], audience=audience, issuer=idp.issuer
    )
    return claims


def refused(idp: IdpServer, client: str, subject_token: str, **form: str) -> tuple[int, str]:
    data = {
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": subject_token,
        "subject_token_type": ACCESS_TOKEN_TYPE,
        **form,
    }
    auth = (client, idp.secret(client))
    response = httpx.post(idp.endpoint("/token"), data=data, auth=auth, timeout=10)
    return response.status_code, response.json().get("error", "")


@pytest.mark.parametrize("workload", ["rest-api-proxy", "temporal-worker"])
def test_an_exchanged_token_is_the_persons_for_the_target_with_the_workload_as_actor(
    workload: str, oauth: PublicClient, idp: IdpServer
) -> None:
    person_token = oauth.tokens("network-engineer-mfa")["access_token"]
    person = oauth.claims(person_token)
    body = idp.exchange(workload, person_token, resource=TARGET)
    assert body["issued_token_type"] == ACCESS_TOKEN_TYPE
    assert body["token_type"] == "Bearer"
    assert "refresh_token" not in body
    claims = claims_of(idp, body["access_token"])
    assert claims["sub"] == subject_for("network-engineer-mfa")
    assert claims["aud"] == TARGET
    assert claims["act"] == {"sub": workload}
    assert claims["client_id"] == claims["azp"] == workload
    assert claims["groups"] == ["network-engineers"]
    assert claims["amr"] == ["pwd", "otp", "mfa"] and claims["acr"] == "mfa"  # as at sign-in
    assert claims["auth_time"] == person["auth_time"]
    assert claims["exp"] <= person["exp"]
    assert 0 < body["expires_in"] <= 300


def test_the_exchanged_token_never_outlives_the_subject_token(idp: IdpServer) -> None:
    short = idp.mint("developer", exp=int(time.time()) + 42)
    claims = claims_of(idp, idp.exchange("rest-api-proxy", short, resource=TARGET)["access_token"])
    assert claims["exp"] <= int(time.time()) + 42


def test_an_existing_actor_is_nested_under_the_new_one(idp: IdpServer) -> None:
    subject = idp.mint("developer", act={"sub": "console"})
    body = idp.exchange("temporal-worker", subject, audience=TARGET)
    claims = claims_of(idp, body["access_token"])
    assert claims["act"] == {"sub": "temporal-worker", "act": {"sub": "console"}}


def test_mcp_common_reads_the_person_the_mfa_and_the_actor_chain(idp: IdpServer) -> None:
    subject = idp.mint("network-engineer-mfa", act={"sub": "console"})
    claims = claims_of(
        idp, idp.exchange("temporal-worker", subject, resource=TARGET)["access_token"]
    )
    principal = principal_from_claims(
        claims, groups_claim="groups", mfa_methods=("mfa", "otp", "hwk", "duo")
    )
    assert principal.subject == subject_for("network-engineer-mfa")
    assert principal.mfa
    assert principal.actors == ("temporal-worker", "console")


def test_audience_may_be_the_default_platform_audience(idp: IdpServer) -> None:
    body = idp.exchange("rest-api-proxy", idp.token("developer"), audience=idp.audience)
    assert claims_of(idp, body["access_token"], audience=idp.audience)["aud"] == idp.audience


def test_a_narrower_scope_may_be_asked(idp: IdpServer) -> None:
    body = idp.exchange("rest-api-proxy", idp.token("developer"), resource=TARGET, scope="openid")
    assert body["scope"] == "openid"


@pytest.mark.parametrize("person", ["developer", "admin", "network-engineer"])
def test_a_persons_client_may_not_exchange(person: str, idp: IdpServer) -> None:
    token = idp.token("developer")
    assert refused(idp, person, token, resource=TARGET) == (400, "unauthorized_client")


def test_a_public_client_may_not_exchange(oauth: PublicClient, idp: IdpServer) -> None:
    token = oauth.tokens("developer")["access_token"]
    data = {
        "grant_type": TOKEN_EXCHANGE,
        "client_id": oauth.client_id,
        "subject_token": token,
        "subject_token_type": ACCESS_TOKEN_TYPE,
        "resource": TARGET,
    }
    response = httpx.post(idp.endpoint("/token"), data=data, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def _bad_subject(idp: IdpServer, kind: str) -> str:
    now = int(time.time())
    if kind == "expired":
        return idp.mint("developer", exp=now - 10, iat=now - 400, nbf=now - 400)
    if kind == "wrong-issuer":
        return idp.mint("developer", iss="https://evil.example.com")
    if kind == "unknown-key":
        return idp.mint("developer", sign_with="unknown-key")
    if kind == "alg-none":
        return idp.mint("developer", sign_with="none")
    if kind == "workload":
        return idp.token("temporal-worker")
    if kind == "unknown-person":
        return idp.mint("developer", sub="00000000-0000-0000-0000-000000000000")
    return "not-a-token"


@pytest.mark.parametrize(
    "kind",
    ["expired", "wrong-issuer", "unknown-key", "alg-none", "workload", "unknown-person", "junk"],
)
def test_a_bad_subject_token_is_invalid_request(kind: str, idp: IdpServer) -> None:
    subject = _bad_subject(idp, kind)
    assert refused(idp, "rest-api-proxy", subject, resource=TARGET) == (400, "invalid_request")


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"resource": "http://127.0.0.1:9/mcp"}, (400, "invalid_target")),
        ({"audience": "some-other-platform"}, (400, "invalid_target")),
        ({"resource": TARGET, "audience": "http://127.0.0.1:18002/mcp"}, (400, "invalid_target")),
        ({}, (400, "invalid_request")),
        ({"resource": TARGET, "subject_token_type": "urn:x"}, (400, "invalid_request")),
        ({"resource": TARGET, "actor_token": "x"}, (400, "invalid_request")),
        ({"resource": TARGET, "scope": "openid admin"}, (400, "invalid_scope")),
        ({"resource": TARGET, "requested_token_type": "urn:x"}, (400, "invalid_request")),
    ],
    ids=[
        "unknown-resource",
        "unknown-audience",
        "conflicting-targets",
        "no-target",
        "bad-subject-type",
        "actor-token",
        "wider-scope",
        "bad-requested-type",
    ],
)
def test_bad_exchange_requests_are_refused(
    form: dict[str, str], expected: tuple[int, str], idp: IdpServer
) -> None:
    assert refused(idp, "temporal-worker", idp.token("developer"), **form) == expected


def test_the_exchange_needs_client_authentication(idp: IdpServer) -> None:
    assert refused(idp, "rest-api-proxy", idp.token("developer"))[1] == "invalid_request"
    data = {
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": idp.token("developer"),
        "subject_token_type": ACCESS_TOKEN_TYPE,
        "resource": TARGET,
    }
    response = httpx.post(idp.endpoint("/token"), data=data, auth=("rest-api-proxy", "x"))
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
