"""Specification of the token service: Keycloak-shaped claims, signing variants, inspection."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from dev_idp.identities import DEFAULT_IDENTITIES, Identity
from dev_idp.keys import KeySet
from dev_idp.tokens import DEFAULT_SCOPE, TokenService

ISSUER = "http://127.0.0.1:9"
ADMIN = next(i for i in DEFAULT_IDENTITIES if i.name == "admin")
WORKER = next(i for i in DEFAULT_IDENTITIES if i.name == "temporal-worker")


@pytest.fixture(scope="module")
def service() -> TokenService:
    return TokenService(ISSUER, "mcp-platform", KeySet(), token_ttl=120)


def claims(service: TokenService, identity: Identity = ADMIN) -> dict[str, Any]:
    return service.claims_for(identity, identity.name, DEFAULT_SCOPE)


@pytest.mark.parametrize(
    ("issuer", "audience", "ttl", "message"),
    [
        ("127.0.0.1:9000", "a", 300, "http"),
        ("http://idp/", "a", 300, "trailing"),
        (ISSUER, "", 300, "audience"),
        (ISSUER, "a", 0, "token_ttl"),
    ],
)
def test_constructor_validates(issuer: str, audience: str, ttl: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TokenService(issuer, audience, KeySet(["RS256"]), ttl)


def test_workload_identity_without_mfa_gets_password_only_amr(service: TokenService) -> None:
    worker = claims(service, WORKER)
    assert worker["amr"] == ["pwd"] and worker["acr"] == "1"
    assert worker["groups"] == ["automation"]
    assert worker["exp"] == worker["iat"] + 120


def test_current_signature_round_trips_through_inspect(service: TokenService) -> None:
    token = service.sign(claims(service))
    inspected = service.inspect(token)
    assert inspected is not None and inspected["sub"] == ADMIN.subject


def test_inspect_requires_the_algorithm_of_the_key_named_by_kid(service: TokenService) -> None:
    # RS384 with the RS256 key: a correct signature under an algorithm the key is not for.
    assert service.inspect(service.sign(claims(service), alg="RS384")) is None


def test_inspect_refuses_tokens_missing_exp_or_sub(service: TokenService) -> None:
    for claim in ("exp", "sub", "iat"):
        body = claims(service)
        del body[claim]
        assert service.inspect(service.sign(body)) is None


def test_inspect_refuses_a_missing_or_unknown_kid(service: TokenService) -> None:
    key = service.keyset.current().private_key
    assert service.inspect(jwt.encode(claims(service), key, algorithm="RS256")) is None
    assert service.inspect(service.sign(claims(service), kid="unknown")) is None
    assert service.inspect("") is None


def test_opaque_tokens_are_stored_by_hash_and_expire(service: TokenService) -> None:
    live = service.issue_opaque(claims(service))
    expired = service.issue_opaque({**claims(service), "exp": int(time.time()) - 1})
    assert service.inspect(live) is not None
    assert service.inspect(expired) is None
    assert live not in repr(vars(service))


def test_opaque_tokens_long_expired_are_forgotten(service: TokenService) -> None:
    old = service.issue_opaque({**claims(service), "exp": int(time.time()) - 7200})
    before = len(service._opaque)
    service.issue_opaque(claims(service))
    assert len(service._opaque) == before  # the old one pruned, the new one added
    assert service.inspect(old) is None


def test_hs256_public_key_rejects_other_hmac_algorithms(service: TokenService) -> None:
    with pytest.raises(ValueError, match="HS256 only"):
        service.sign(claims(service), sign_with="hs256-public-key", alg="HS512")


def test_minting_arbitrary_claim_types_is_possible(service: TokenService) -> None:
    # A verifier must survive a non-string issuer; the JWS layer lets us produce one.
    token = service.sign({**claims(service), "iss": 42})
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == 42
