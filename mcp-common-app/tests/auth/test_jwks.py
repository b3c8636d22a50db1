"""JWKSCache: an issuer's signing keys, cached; rotation picked up; refetches rate-limited.

The key set is served over real HTTP by a small issuer stand-in on 127.0.0.1 whose keys the
tests rotate at will; time is a clock the tests move.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mcp_common.auth import JWKSCache
from mcp_common.errors import AuthenticationError

ECPrivate = ec.EllipticCurvePrivateKey


@dataclass
class SigningKey:
    """A private key with the kid and alg it is published under."""

    kid: str
    private: rsa.RSAPrivateKey | ECPrivate
    alg: str = "RS256"
    use: str | None = "sig"

    def jwk(self, *, with_kid: bool = True) -> dict[str, Any]:
        algorithm = jwt.get_algorithm_by_name(self.alg)
        public: dict[str, Any] = json.loads(algorithm.to_jwk(self.private.public_key()))
        public.update(alg=self.alg)
        if self.use:
            public["use"] = self.use
        if with_kid:
            public["kid"] = self.kid
        return public

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private, algorithm=self.alg, headers={"kid": self.kid})


def rsa_key(kid: str | None = None, **kwargs: Any) -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(kid or uuid.uuid4().hex[:8], private, **kwargs)


def ec_key(kid: str | None = None) -> SigningKey:
    return SigningKey(kid or uuid.uuid4().hex[:8], ec.generate_private_key(ec.SECP256R1()), "ES256")


@dataclass
class Issuer:
    """Serves `/jwks` with the keys it publishes; counts fetches; can misbehave."""

    published: list[dict[str, Any]] = field(default_factory=list)
    fetches: int = 0
    status: int = 200
    body: str | None = None  # served as is instead of the key set
    delay: float = 0.0

    def publish(self, *keys: SigningKey, with_kid: bool = True) -> None:
        self.published = [k.jwk(with_kid=with_kid) for k in keys]

    async def jwks(self, request: Request) -> Response:
        self.fetches += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.body is not None:
            return Response(self.body, self.status, media_type="application/json")
        return JSONResponse({"keys": self.published}, status_code=self.status)


@dataclass
class Clock:
    """Monotonic time that moves only when a test says so."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def stand_in(serve: Callable[[Any], Any]) -> tuple[Issuer, str]:
    """One issuer stand-in for the module (each test resets it through `issuer`)."""
    issuer = Issuer()
    server = serve(Starlette(routes=[Route("/jwks", issuer.jwks)]))
    return issuer, f"{server.url}/jwks"


@pytest.fixture
def issuer(stand_in: tuple[Issuer, str]) -> Issuer:
    state = stand_in[0]
    state.published, state.fetches, state.status, state.body, state.delay = [], 0, 200, None, 0.0
    return state


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(
    stand_in: tuple[Issuer, str], issuer: Issuer, http: httpx.AsyncClient, clock: Clock
) -> JWKSCache:
    return JWKSCache(stand_in[1], http, min_refresh_interval=30, max_age=3600, clock=clock)


def verify(token: str, key: jwt.PyJWK) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["RS256", "ES256"])
    return claims


# --- construction ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kwargs", "message"),
    [
        ("file:///etc/jwks.json", {}, "http"),
        ("127.0.0.1/jwks", {}, "http"),
        ("http://127.0.0.1/jwks", {"min_refresh_interval": -1}, "positive"),
        ("http://127.0.0.1/jwks", {"max_age": 0}, "positive"),
    ],
)
async def test_a_non_http_url_or_a_non_positive_interval_is_refused(
    http: httpx.AsyncClient, url: str, kwargs: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        JWKSCache(url, http, **kwargs)


# --- serving keys ---------------------------------------------------------------------------


async def test_the_key_for_a_kid_verifies_tokens_signed_by_the_issuer(
    issuer: Issuer, cache: JWKSCache
) -> None:
    rs, es = rsa_key(), ec_key()
    issuer.publish(rs, es)
    assert not cache.loaded
    assert verify(rs.sign({"sub": "alice"}), await cache.get(rs.kid)) == {"sub": "alice"}
    assert verify(es.sign({"sub": "bob"}), await cache.get(es.kid)) == {"sub": "bob"}
    assert cache.loaded
    assert issuer.fetches == 1  # both keys came in one fetch


async def test_a_key_signed_by_another_issuer_does_not_verify(
    issuer: Issuer, cache: JWKSCache
) -> None:
    published = rsa_key("shared-kid")
    issuer.publish(published)
    forged = rsa_key("shared-kid").sign({"sub": "mallory"})
    with pytest.raises(jwt.InvalidSignatureError):
        verify(forged, await cache.get("shared-kid"))


async def test_known_keys_are_served_from_the_cache_until_max_age(
    issuer: Issuer, cache: JWKSCache, clock: Clock
) -> None:
    key = rsa_key()
    issuer.publish(key)
    for _ in range(5):
        await cache.get(key.kid)
    clock.now += 3599
    await cache.get(key.kid)
    assert issuer.fetches == 1
    clock.now += 2  # older than max_age: fetched again even though the kid is known
    await cache.get(key.kid)
    assert issuer.fetches == 2


async def test_a_key_withdrawn_by_the_issuer_is_refused_once_the_cache_is_stale(
    issuer: Issuer, cache: JWKSCache, clock: Clock
) -> None:
    old, new = rsa_key(), rsa_key()
    issuer.publish(old)
    await cache.get(old.kid)
    issuer.publish(new)
    clock.now += 3601
    with pytest.raises(AuthenticationError, match="unknown key"):
        await cache.get(old.kid)
    assert verify(new.sign({"sub": "a"}), await cache.get(new.kid))["sub"] == "a"


async def test_concurrent_first_requests_share_one_fetch(issuer: Issuer, cache: JWKSCache) -> None:
    key = rsa_key()
    issuer.publish(key)
    issuer.delay = 0.05  # a slow issuer: every caller arrives while the fetch runs
    keys = await asyncio.gather(*(cache.get(key.kid) for _ in range(10)))
    assert {k.key_id for k in keys} == {key.kid}
    assert issuer.fetches == 1


# --- rotation -------------------------------------------------------------------------------


async def test_a_rotated_key_is_fetched_on_its_first_unknown_kid(
    issuer: Issuer, cache: JWKSCache, clock: Clock
) -> None:
    old, new = rsa_key(), rsa_key()
    issuer.publish(old)
    await cache.get(old.kid)
    issuer.publish(old, new)  # the issuer rotates, still publishing the old key
    clock.now += 30
    assert verify(new.sign({"sub": "a"}), await cache.get(new.kid))["sub"] == "a"
    assert (await cache.get(old.kid)).key_id == old.kid
    assert issuer.fetches == 2


async def test_unknown_kids_refetch_at_most_once_per_interval(
    issuer: Issuer, cache: JWKSCache, clock: Clock
) -> None:
    key, rotated = rsa_key(), rsa_key()
    issuer.publish(key)
    await cache.get(key.kid)
    issuer.publish(key, rotated)
    clock.now += 10  # within the 30 s interval: tokens with unknown kids cannot force fetches
    for kid in (rotated.kid, "made-up-1", "made-up-2"):
        with pytest.raises(AuthenticationError, match="unknown key"):
            await cache.get(kid)
    assert issuer.fetches == 1
    clock.now += 20  # the interval has passed: one fetch, which finds the rotated key
    assert (await cache.get(rotated.kid)).key_id == rotated.kid
    with pytest.raises(AuthenticationError, match="unknown key"):
        await cache.get("made-up-3")
    assert issuer.fetches == 2


async def test_refresh_fetches_now_whatever_the_interval(
    issuer: Issuer, cache: JWKSCache, clock: Clock
) -> None:
    key, rotated = rsa_key(), rsa_key()
    issuer.publish(key)
    await cache.get(key.kid)
    issuer.publish(rotated)
    clock.now += 1  # well within the refetch interval
    await cache.refresh()
    assert (await cache.get(rotated.kid)).key_id == rotated.kid
    assert issuer.fetches == 2


# --- which keys ---------------------------------------------------------------------------


async def test_without_a_kid_only_a_single_published_key_is_used(
    issuer: Issuer, cache: JWKSCache, clock: Clock
) -> None:
    only = rsa_key()
    issuer.publish(only)
    token = jwt.encode({"sub": "a"}, only.private, algorithm="RS256")  # no kid header
    assert verify(token, await cache.get(None))["sub"] == "a"
    issuer.publish(only, rsa_key())
    clock.now += 1
    await cache.refresh()
    with pytest.raises(AuthenticationError, match="unknown key"):  # ambiguous
        await cache.get(None)


async def test_an_issuer_publishing_one_key_without_kid_is_still_usable(
    issuer: Issuer, cache: JWKSCache
) -> None:
    only = rsa_key()
    issuer.publish(only, with_kid=False)
    token = jwt.encode({"sub": "a"}, only.private, algorithm="RS256")
    assert verify(token, await cache.get(None))["sub"] == "a"


async def test_encryption_keys_are_never_used_to_verify(issuer: Issuer, cache: JWKSCache) -> None:
    signing, encryption = rsa_key(), rsa_key(use="enc")
    issuer.publish(signing, encryption)
    assert (await cache.get(signing.kid)).key_id == signing.kid
    with pytest.raises(AuthenticationError, match="unknown key"):
        await cache.get(encryption.kid)


# --- the issuer failing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, None), (404, None), (200, "not json"), (200, '{"keys": "nope"}')],
    ids=["http-500", "http-404", "not-json", "not-a-key-set"],
)
async def test_without_any_key_yet_a_failed_fetch_refuses_the_token(
    issuer: Issuer, cache: JWKSCache, caplog: pytest.LogCaptureFixture, status: int, body: str
) -> None:
    issuer.status, issuer.body = status, body
    with pytest.raises(AuthenticationError, match="signing keys are unavailable"):
        await cache.get("any")
    assert not cache.loaded
    failure = next(r for r in caplog.records if r.getMessage() == "JWKS fetch failed")
    assert failure.levelno == logging.WARNING
    assert vars(failure)["event.outcome"] == "failure"


async def test_with_keys_cached_a_failed_fetch_keeps_serving_them_and_waits_an_interval(
    issuer: Issuer, cache: JWKSCache, clock: Clock
) -> None:
    key = rsa_key()
    issuer.publish(key)
    await cache.get(key.kid)
    issuer.status = 503
    clock.now += 3601  # stale: a fetch is due, and fails
    assert (await cache.get(key.kid)).key_id == key.kid
    assert issuer.fetches == 2
    clock.now += 10  # the failure counts as a fetch: no retry within the interval
    await cache.get(key.kid)
    with pytest.raises(AuthenticationError, match="unknown key"):
        await cache.get("other")
    assert issuer.fetches == 2


async def test_an_unreachable_issuer_is_a_refusal_not_a_crash(http: httpx.AsyncClient) -> None:
    cache = JWKSCache("http://127.0.0.1:1/jwks", http, clock=Clock())
    started = time.monotonic()
    with pytest.raises(AuthenticationError, match="signing keys are unavailable"):
        await cache.get("any")
    assert time.monotonic() - started < 5
