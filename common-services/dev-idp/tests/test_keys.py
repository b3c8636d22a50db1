"""Specification of the dev issuer's key set: generation, JWKS, rotation, outsider keys."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from dev_idp.keys import KeySet, generate_key


@pytest.fixture(scope="module")
def keyset() -> KeySet:
    return KeySet()


def test_default_key_set_has_one_rs256_and_one_es256_key(keyset: KeySet) -> None:
    jwks = keyset.jwks()["keys"]
    assert sorted(k["alg"] for k in jwks) == ["ES256", "RS256"]
    assert keyset.algorithms == ("RS256", "ES256")
    assert isinstance(keyset.current("RS256").private_key, rsa.RSAPrivateKey)
    assert keyset.current("RS256").private_key.key_size == 2048
    ec_key = keyset.current("ES256").private_key
    assert isinstance(ec_key, ec.EllipticCurvePrivateKey)
    assert ec_key.curve.name == "secp256r1"


def test_jwks_publishes_public_members_with_kid_alg_and_use(keyset: KeySet) -> None:
    for jwk in keyset.jwks()["keys"]:
        assert jwk["use"] == "sig"
        assert jwk["kid"]
        assert "d" not in jwk and "p" not in jwk and "q" not in jwk
    rsa_jwk = next(k for k in keyset.jwks()["keys"] if k["kty"] == "RSA")
    assert set(rsa_jwk) == {"kty", "n", "e", "kid", "alg", "use"}


def test_kids_are_distinct_and_stable(keyset: KeySet) -> None:
    first = keyset.kids()
    assert len(set(first)) == len(first) == 2
    assert keyset.kids() == first
    assert generate_key("RS256").kid not in first


def test_token_signed_with_current_key_verifies_against_the_jwks(keyset: KeySet) -> None:
    for alg in ("RS256", "ES256"):
        key = keyset.current(alg)
        token = jwt.encode({"sub": "x"}, key.private_key, algorithm=alg, headers={"kid": key.kid})
        jwk = next(k for k in keyset.jwks()["keys"] if k["kid"] == key.kid)
        public = jwt.PyJWK.from_dict(jwk)
        assert jwt.decode(token, public.key, algorithms=[alg]) == {"sub": "x"}


def test_get_finds_published_keys_only(keyset: KeySet) -> None:
    current = keyset.current()
    assert keyset.get(current.kid) is current
    assert keyset.get("no-such-kid") is None
    assert keyset.get(keyset.outsider().kid) is None


def test_rotate_adds_a_key_and_changes_the_current_kid() -> None:
    keys = KeySet(["RS256"])
    old = keys.current()
    new = keys.rotate()
    assert new.kid != old.kid
    assert keys.current() is new
    assert keys.kids() == [new.kid, old.kid]
    assert [k["kid"] for k in keys.jwks()["keys"]] == [new.kid, old.kid]


def test_rotate_with_drop_old_unpublishes_older_keys_of_that_algorithm_only() -> None:
    keys = KeySet()
    old_rsa, ec_key = keys.current("RS256"), keys.current("ES256")
    keys.rotate("RS256")
    new = keys.rotate("RS256", drop_old=True)
    assert keys.kids() == [new.kid, ec_key.kid]
    assert keys.get(old_rsa.kid) is None


def test_outsider_key_is_never_published_and_is_reused() -> None:
    keys = KeySet(["RS256"])
    outsider = keys.outsider("RS256")
    assert outsider.kid not in keys.kids()
    assert keys.outsider("RS256") is outsider
    token = jwt.encode({"sub": "x"}, outsider.private_key, algorithm="RS256")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, keys.current().public_key, algorithms=["RS256"])


def test_public_pem_is_the_subject_public_key_info(keyset: KeySet) -> None:
    pem = keyset.current().public_pem()
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")


def test_repr_never_shows_private_material(keyset: KeySet) -> None:
    key = keyset.current()
    assert repr(key) == f"SigningKey(kid={key.kid!r}, alg='RS256')"
    assert "PRIVATE" not in repr(keyset)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"algorithms": []}, "non-empty"),
        ({"algorithms": "RS256"}, "non-empty"),
        ({"algorithms": ["HS256"]}, "unsupported"),
        ({"algorithms": ["RS256"], "rsa_bits": 1024}, "at least 2048"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KeySet(**kwargs)  # type: ignore[arg-type]


def test_asking_for_an_algorithm_outside_the_set_is_an_error() -> None:
    keys = KeySet(["RS256"])
    with pytest.raises(ValueError, match="no ES256 key"):
        keys.current("ES256")
    with pytest.raises(ValueError, match="no ES256 key"):
        keys.rotate("ES256")
    with pytest.raises(ValueError, match="unsupported"):
        generate_key("HS256")
