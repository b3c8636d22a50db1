"""In-memory signing keys of the dev issuer (RS256, ES256) with rotation and a public JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

__all__ = ["SUPPORTED_ALGORITHMS", "KeySet", "SigningKey", "generate_key"]

SUPPORTED_ALGORITHMS: tuple[str, ...] = ("RS256", "ES256")

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint: a kid that is stable for a key and unique across keys."""
    required = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("e", "kty", "n")
    canonical = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def _public_jwk(key: PublicKey) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPublicKey):
        return RSAAlgorithm.to_jwk(key, as_dict=True)
    return ECAlgorithm.to_jwk(key, as_dict=True)


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One private signing key with its kid and algorithm; its repr never shows the key."""

    kid: str
    alg: str
    private_key: PrivateKey
    created_at: float

    @property
    def public_key(self) -> PublicKey:
        """The public half, for verification."""
        return self.private_key.public_key()

    def public_jwk(self) -> dict[str, Any]:
        """The public key as a JWK (RFC 7517) with kid, alg and use=sig."""
        jwk = _public_jwk(self.public_key)
        # RFC 7517 4.3: "use" and "key_ops" should not appear together; Keycloak sends "use".
        jwk.pop("key_ops", None)
        jwk.update(kid=self.kid, alg=self.alg, use="sig")
        return jwk

    def public_pem(self) -> bytes:
        """The public key as SubjectPublicKeyInfo PEM (what a naive verifier loads)."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def __repr__(self) -> str:
        # The private key must never reach a log line through repr().
        return f"SigningKey(kid={self.kid!r}, alg={self.alg!r})"


def generate_key(alg: str = "RS256", *, rsa_bits: int = 2048) -> SigningKey:
    """Generate a fresh key for `alg` (RS256: RSA of `rsa_bits`, ES256: P-256)."""
    if alg not in SUPPORTED_ALGORITHMS:
        raise ValueError(f"unsupported algorithm {alg!r}; expected one of {SUPPORTED_ALGORITHMS}")
    if rsa_bits < 2048:
        raise ValueError(f"rsa_bits must be at least 2048, got {rsa_bits}")
    private: PrivateKey
    if alg == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    jwk = _public_jwk(private.public_key())
    return SigningKey(kid=_thumbprint(jwk), alg=alg, private_key=private, created_at=time.time())


class KeySet:
    """The issuer's keys: one current key per algorithm, older public keys kept until dropped."""

    def __init__(
        self, algorithms: Sequence[str] = SUPPORTED_ALGORITHMS, *, rsa_bits: int = 2048
    ) -> None:
        if isinstance(algorithms, str) or not algorithms:
            raise ValueError("algorithms must be a non-empty sequence such as ('RS256',)")
        unknown = [a for a in algorithms if a not in SUPPORTED_ALGORITHMS]
        if unknown:
            raise ValueError(f"unsupported algorithms {unknown}; expected {SUPPORTED_ALGORITHMS}")
        if rsa_bits < 2048:
            raise ValueError(f"rsa_bits must be at least 2048, got {rsa_bits}")
        self._rsa_bits = rsa_bits
        self._algorithms = tuple(dict.fromkeys(algorithms))
        # Rotation may come from a test thread while the server thread signs.
        self._lock = threading.RLock()
        # Newest first: index 0 of each algorithm is its current key.
        self._keys: list[SigningKey] = [self._new(alg) for alg in self._algorithms]
        self._outsiders: dict[str, SigningKey] = {}

    def _new(self, alg: str) -> SigningKey:
        return generate_key(alg, rsa_bits=self._rsa_bits)

    @property
    def algorithms(self) -> tuple[str, ...]:
        """The algorithms this set signs with."""
        return self._algorithms

    def _check_alg(self, alg: str) -> None:
        if alg not in self._algorithms:
            raise ValueError(f"no {alg} key in this key set (algorithms: {self._algorithms})")

    def current(self, alg: str = "RS256") -> SigningKey:
        """The key that signs new tokens for `alg`."""
        self._check_alg(alg)
        with self._lock:
            return next(k for k in self._keys if k.alg == alg)

    def get(self, kid: str) -> SigningKey | None:
        """The published key with this kid, or None (also for outsider keys)."""
        with self._lock:
            return next((k for k in self._keys if k.kid == kid), None)

    def kids(self) -> list[str]:
        """The kids of all published keys, newest first."""
        with self._lock:
            return [k.kid for k in self._keys]

    def rotate(self, alg: str = "RS256", *, drop_old: bool = False) -> SigningKey:
        """Make a new key current for `alg`; older keys stay published unless `drop_old`."""
        self._check_alg(alg)
        fresh = self._new(alg)
        with self._lock:
            kept = [k for k in self._keys if not (drop_old and k.alg == alg)]
            self._keys = [fresh, *kept]
        return fresh

    def jwks(self) -> dict[str, Any]:
        """The public JWK Set (RFC 7517): public halves only, newest first."""
        with self._lock:
            keys = list(self._keys)
        return {"keys": [k.public_jwk() for k in keys]}

    def outsider(self, alg: str = "RS256") -> SigningKey:
        """A key of `alg` that is never published: tokens it signs must fail verification."""
        self._check_alg(alg)
        with self._lock:
            key = self._outsiders.get(alg)
        if key is None:
            key = self._new(alg)
            with self._lock:
                key = self._outsiders.setdefault(alg, key)
        return key

    def __repr__(self) -> str:
        return f"KeySet(kids={self.kids()!r})"
