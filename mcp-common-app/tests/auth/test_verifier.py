"""OIDC verification against the real development issuer, and a verifier called at the edge."""

from __future__ import annotations

import time

import jwt
import pytest
from prometheus_client import CollectorRegistry

from dev_idp import IdpServer
from mcp_common.auth import OIDCVerifier, Principal, principal_from_claims, verify_bearer
from mcp_common.errors import AuthenticationError
from mcp_common.observability import PlatformMetrics
from mcp_common.testing import StaticVerifier


@pytest.fixture
async def verifier(idp: IdpServer):
    v = OIDCVerifier(idp.issuer, idp.audience, leeway=5, jwks_min_refresh=0)
    yield v
    await v.aclose()


async def test_a_valid_token_gives_the_principal(idp: IdpServer, verifier: OIDCVerifier) -> None:
    principal = await verifier.verify(idp.token("network-engineer-mfa"))
    assert principal.groups == frozenset({"network-engineers"})
    assert principal.mfa is True
    assert principal.client_id == "network-engineer-mfa"
    assert principal.expires_at and principal.expires_at > time.time()


async def test_mfa_is_false_without_a_second_factor(idp: IdpServer, verifier: OIDCVerifier) -> None:
    principal = await verifier.verify(idp.token("network-engineer"))
    assert principal.mfa is False


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}, "expired"),
        ({"nbf": int(time.time()) + 600}, "not yet valid"),
        ({"iat": int(time.time()) + 600}, "not yet valid"),
        ({"iss": "https://evil.example"}, "issuer"),
        ({"aud": "another-api"}, "audience"),
        ({"sign_with": "unknown-key", "kid": "not-published"}, "unknown key"),
        ({"sign_with": "unknown-key"}, "signature"),
        ({"sign_with": "none"}, "not allowed"),
        ({"sign_with": "none", "alg": "None"}, "not allowed"),
        ({"sign_with": "hs256-public-key"}, "not allowed"),
        ({"sub": None}, "sub"),
        ({"exp": None}, "exp"),
    ],
    ids=[
        "expired",
        "nbf-future",
        "iat-future",
        "wrong-issuer",
        "wrong-audience",
        "unknown-kid",
        "bad-signature",
        "alg-none",
        "alg-None",
        "hs256-with-public-key",
        "no-subject",
        "no-expiry",
    ],
)
async def test_defective_tokens_are_refused_with_a_reason(
    idp: IdpServer, verifier: OIDCVerifier, overrides: dict, reason: str
) -> None:
    token = idp.mint("admin", **overrides)
    with pytest.raises(AuthenticationError, match=reason):
        await verifier.verify(token)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "x" * 20_000, "eyJ.eyJ.", "Bearer x"])
async def test_garbage_is_refused(verifier: OIDCVerifier, garbage: str) -> None:
    with pytest.raises(AuthenticationError):
        await verifier.verify(garbage)


async def test_small_clock_skew_is_tolerated(idp: IdpServer, verifier: OIDCVerifier) -> None:
    now = int(time.time())
    token = idp.mint("admin", nbf=now + 3, iat=now + 3)
    assert (await verifier.verify(token)).groups == frozenset({"admin"})


# -- lifetime: exp - iat at most the maximum (24 h by default), both plain numbers -------------
DAY = 86_400


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        # PyJWT itself accepts numeric strings: "9999999999" would never expire for us.
        ({"exp": "+600"}, "'exp' claim is not a number"),
        ({"iat": "-60"}, "'iat' claim is not a number"),
        ({"exp": "+600", "iat": "-60"}, "not a number"),
        ({"exp": True}, "token"),  # a bool is not a time: refused one way or another
        # A JWT without iat cannot show its lifetime: always refused.
        ({"iat": None}, "'iat'"),
    ],
    ids=["exp-string", "iat-string", "both-strings", "exp-bool", "no-iat"],
)
async def test_exp_and_iat_must_be_numbers(
    idp: IdpServer, verifier: OIDCVerifier, claims: dict, reason: str
) -> None:
    now = int(time.time())
    overrides = {k: str(now + int(v)) if isinstance(v, str) else v for k, v in claims.items()}
    with pytest.raises(AuthenticationError, match=reason):
        await verifier.verify(idp.mint("admin", **overrides))


async def test_a_token_living_longer_than_the_maximum_is_refused(
    idp: IdpServer, verifier: OIDCVerifier
) -> None:
    now = int(time.time())
    assert verifier.max_token_lifetime == DAY  # the default
    with pytest.raises(AuthenticationError, match="lifetime exceeds the maximum of 86400"):
        await verifier.verify(idp.mint("admin", iat=now - 60, exp=now - 60 + DAY + 1))
    with pytest.raises(AuthenticationError, match="lifetime exceeds"):
        await verifier.verify(idp.mint("admin", iat=now, exp=now + 10 * 365 * DAY))
    # Exactly the maximum is fine.
    assert (await verifier.verify(idp.mint("admin", iat=now - 60, exp=now - 60 + DAY))).subject


async def test_the_maximum_lifetime_is_configurable_and_can_be_lifted(idp: IdpServer) -> None:
    now = int(time.time())
    long_lived = idp.mint("admin", iat=now, exp=now + 2 * DAY)
    short = OIDCVerifier(idp.issuer, idp.audience, max_token_lifetime=300)
    lifted = OIDCVerifier(idp.issuer, idp.audience, max_token_lifetime=None)
    try:
        with pytest.raises(AuthenticationError, match="maximum of 300 seconds"):
            await short.verify(idp.mint("admin", iat=now, exp=now + 301))
        assert (await lifted.verify(long_lived)).subject
    finally:
        await short.aclose()
        await lifted.aclose()
    with pytest.raises(ValueError, match="max_token_lifetime"):
        OIDCVerifier(idp.issuer, idp.audience, max_token_lifetime=0)


async def test_key_rotation_is_picked_up_without_restart(
    idp: IdpServer, verifier: OIDCVerifier
) -> None:
    await verifier.verify(idp.token("admin"))  # keys cached
    new_kid = idp.rotate(drop_old=False)
    token = idp.token("admin")
    assert jwt.get_unverified_header(token)["kid"] == new_kid  # a key the cache never saw
    assert (await verifier.verify(token)).groups == frozenset({"admin"})


async def test_unknown_kid_refetch_is_rate_limited(idp: IdpServer) -> None:
    v = OIDCVerifier(idp.issuer, idp.audience, jwks_min_refresh=60)
    try:
        await v.verify(idp.token("admin"))
        idp.rotate()
        # Within the interval an unknown kid is not fetched again (no JWKS hammering) ...
        with pytest.raises(AuthenticationError, match="unknown key"):
            await v.verify(idp.token("admin"))
    finally:
        await v.aclose()


async def test_groups_claim_path_is_configurable(idp: IdpServer) -> None:
    v = OIDCVerifier(idp.issuer, idp.audience, groups_claim="realm_access.roles")
    try:
        assert (await v.verify(idp.token("service-desk"))).groups == frozenset({"service-desk"})
    finally:
        await v.aclose()


async def test_opaque_tokens_by_introspection(idp: IdpServer) -> None:
    v = OIDCVerifier(
        idp.issuer,
        idp.audience,
        opaque_tokens="introspection",
        client_id="admin",
        client_secret=idp.secret("admin"),
    )
    try:
        principal = await v.verify(idp.token("developer", token_format="opaque"))
        assert principal.groups == frozenset({"developers"})
        with pytest.raises(AuthenticationError, match="not active"):
            await v.verify("opaque-but-unknown-token-value")
    finally:
        await v.aclose()


async def test_opaque_tokens_by_userinfo(idp: IdpServer) -> None:
    v = OIDCVerifier(idp.issuer, idp.audience, opaque_tokens="userinfo")
    try:
        principal = await v.verify(idp.token("service-desk", token_format="opaque"))
        assert principal.groups == frozenset({"service-desk"})
    finally:
        await v.aclose()


async def test_opaque_tokens_are_refused_when_not_enabled(
    idp: IdpServer, verifier: OIDCVerifier
) -> None:
    with pytest.raises(AuthenticationError, match="malformed"):
        await verifier.verify(idp.token("developer", token_format="opaque"))


def test_symmetric_and_none_algorithms_cannot_be_configured() -> None:
    for algs in (["HS256"], ["none"], ["RS256", "HS512"], []):
        with pytest.raises(ValueError, match="asymmetric"):
            OIDCVerifier("http://127.0.0.1:1", "aud", algorithms=algs)


def test_principal_mapping_reads_acr_and_does_not_reverse_an_rfc8693_actor() -> None:
    p = principal_from_claims(
        {"sub": "alice", "acr": "mfa", "roles": ["a", "b"], "act": {"sub": "svc"}},
        groups_claim="roles",
        mfa_methods=["mfa"],
    )
    assert p.mfa and p.groups == frozenset({"a", "b"})
    # `act` names the actor, not the person served: it is kept, not read as on_behalf_of.
    assert p.subject == "alice" and p.on_behalf_of is None and p.claims["act"] == {"sub": "svc"}


def test_principal_mapping_prefers_the_issuers_on_behalf_of_claim_over_act() -> None:
    p = principal_from_claims(
        {"sub": "worker", "groups": ["automation"], "on_behalf_of": "alice", "act": {"sub": "x"}},
        groups_claim="groups",
        mfa_methods=["mfa"],
    )
    assert p.subject == "worker" and p.on_behalf_of == "alice" and p.mfa is False


@pytest.mark.parametrize("claim", ["", 42, ["alice"], {"sub": "alice"}])
def test_principal_mapping_ignores_a_malformed_on_behalf_of_claim(claim: object) -> None:
    p = principal_from_claims(
        {"sub": "worker", "on_behalf_of": claim}, groups_claim="groups", mfa_methods=["mfa"]
    )
    assert p.on_behalf_of is None


async def test_a_workload_token_for_a_person_names_that_person(
    idp: IdpServer, verifier: OIDCVerifier
) -> None:
    person = await verifier.verify(idp.token("network-engineer-mfa"))
    token = idp.token("temporal-worker", requested_on_behalf_of=person.subject)
    principal = await verifier.verify(token)
    assert principal.groups == frozenset({"automation"})
    assert principal.on_behalf_of == person.subject != principal.subject


class _BuggyVerifier(StaticVerifier):
    async def verify(self, token: str) -> Principal:
        raise RuntimeError(f"parser crashed on {token}")


async def test_at_the_edge_every_outcome_is_counted_and_a_verifier_bug_is_a_refusal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = PlatformMetrics("demo", CollectorRegistry())
    dev = Principal(subject="dev")
    assert await verify_bearer(StaticVerifier({"good": dev}), "good", metrics) == dev
    with pytest.raises(AuthenticationError, match="unknown token"):
        await verify_bearer(StaticVerifier({}), "bad", metrics)
    with pytest.raises(AuthenticationError, match="could not be verified"):
        await verify_bearer(_BuggyVerifier({}), "secret-token", metrics)
    counted = {
        outcome: metrics.registry.get_sample_value("mcp_authentication_total", {"outcome": outcome})
        for outcome in ("success", "failure", "error")
    }
    assert counted == {"success": 1.0, "failure": 1.0, "error": 1.0}
    assert "secret-token" not in caplog.text
