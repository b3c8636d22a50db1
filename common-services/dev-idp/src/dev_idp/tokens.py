"""Token issuing and checking for the dev issuer: Keycloak-shaped claims, JWT, opaque, defects."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import jwt

from .identities import Identity
from .keys import KeySet, SigningKey

__all__ = ["DEFAULT_SCOPE", "SIGN_WITH", "TokenService"]

DEFAULT_SCOPE = "openid profile email"
# What identifies the person (and how they signed in): carried into exchanged and ID tokens.
_PERSON_CLAIMS = (
    "sub", "auth_time", "groups", "realm_access", "amr", "acr", "preferred_username", "email",
    "email_verified",
)  # fmt: skip
SIGN_WITH = ("current", "unknown-key", "none", "hs256-public-key")
_RSA_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _segment(value: Mapping[str, Any]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def _digest(token: str) -> str:
    # Opaque tokens are kept by hash, so a dump of the store holds no usable token.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenService:
    """Builds claims, signs (or deliberately mis-signs) JWTs, keeps opaque tokens, checks tokens."""

    def __init__(self, issuer: str, audience: str, keyset: KeySet, token_ttl: int) -> None:
        if not issuer.startswith(("http://", "https://")) or issuer.endswith("/"):
            raise ValueError(f"issuer must be an http(s) URL without trailing '/', got {issuer!r}")
        if not audience:
            raise ValueError("audience must be a non-empty string")
        if not isinstance(token_ttl, int) or token_ttl <= 0:
            raise ValueError(f"token_ttl must be a positive number of seconds, got {token_ttl!r}")
        self.issuer = issuer
        self.audience = audience
        self.keyset = keyset
        self.token_ttl = token_ttl
        self._opaque: dict[str, dict[str, Any]] = {}

    def claims_for(
        self, identity: Identity, client_id: str, scope: str, *, audience: str | None = None
    ) -> dict[str, Any]:
        """The access-token claims Keycloak (with Duo as MFA) would issue for this identity."""
        now = int(time.time())
        groups = list(identity.groups)
        return {
            "iss": self.issuer,
            "sub": identity.subject,
            "aud": audience or self.audience,
            "exp": now + self.token_ttl,
            "nbf": now,
            "iat": now,
            "auth_time": now,
            "jti": str(uuid.uuid4()),
            "typ": "Bearer",
            "azp": client_id,
            "client_id": client_id,
            "scope": scope,
            "groups": groups,
            "realm_access": {"roles": list(groups)},
            "amr": ["pwd", "mfa", "duo"] if identity.mfa else ["pwd"],
            "acr": "mfa" if identity.mfa else "1",
            "preferred_username": identity.name,
            "email": identity.email,
            "email_verified": True,
        }

    def sign_in_claims(
        self,
        identity: Identity,
        client_id: str,
        scope: str,
        audience: str,
        *,
        amr: Sequence[str],
        acr: str,
        auth_time: int,
    ) -> dict[str, Any]:
        """Claims of a person's token after an interactive sign-in: `amr` says what happened."""
        claims = self.claims_for(identity, client_id, scope, audience=audience)
        claims.update(amr=list(amr), acr=acr, auth_time=auth_time)
        return claims

    def exchanged_claims(
        self, subject: Mapping[str, Any], actor: str, scope: str, audience: str
    ) -> dict[str, Any]:
        """RFC 8693: the person's identity for `audience`, with `actor` in `act` (nested)."""
        now = int(time.time())
        claims = {k: subject[k] for k in _PERSON_CLAIMS if k in subject}
        act: dict[str, Any] = {"sub": actor}
        if isinstance(subject.get("act"), dict):
            act["act"] = subject["act"]
        # Never outlive the token the person presented.
        exp = min(now + self.token_ttl, int(subject["exp"]))
        claims.update(
            iss=self.issuer,
            aud=audience,
            exp=exp,
            nbf=now,
            iat=now,
            jti=str(uuid.uuid4()),
            typ="Bearer",
            azp=actor,
            client_id=actor,
            scope=scope,
            act=act,
        )
        return claims

    def id_token_claims(
        self, access: Mapping[str, Any], client_id: str, nonce: str | None
    ) -> dict[str, Any]:
        """An OIDC ID token for the client, from the claims of the access token issued with it."""
        claims = {k: access[k] for k in _PERSON_CLAIMS if k in access}
        claims.update(
            iss=self.issuer, aud=client_id, azp=client_id, iat=access["iat"], exp=access["exp"]
        )
        if nonce:
            claims["nonce"] = nonce
        return claims

    def sign(
        self,
        claims: Mapping[str, Any],
        *,
        alg: str | None = None,
        kid: str | None = None,
        sign_with: str = "current",
    ) -> str:
        """A compact JWT; `sign_with` other than "current" yields a token no verifier may accept."""
        # Defective tokens carry the current kid unless told otherwise, so a verifier finds
        # a key and only its algorithm and signature checks stand in the way.
        primary = self._primary()
        if sign_with == "none":
            # Hand-built so header variants such as "None" or "NONE" can be produced.
            header: dict[str, Any] = {"alg": alg or "none", "typ": "JWT", "kid": kid or primary.kid}
            return f"{_segment(header)}.{_segment(claims)}."
        if sign_with == "hs256-public-key":
            if alg not in (None, "HS256"):
                raise ValueError("sign_with 'hs256-public-key' signs with HS256 only")
            header = {"alg": "HS256", "typ": "JWT", "kid": kid or primary.kid}
            signing_input = f"{_segment(header)}.{_segment(claims)}"
            mac = hmac.new(primary.public_pem(), signing_input.encode("ascii"), hashlib.sha256)
            return f"{signing_input}.{_b64url(mac.digest())}"
        if sign_with not in ("current", "unknown-key"):
            raise ValueError(f"sign_with must be one of {SIGN_WITH}, got {sign_with!r}")
        alg = alg or "RS256"
        family = self._family(alg)
        current = self.keyset.current(family)
        key: SigningKey = current if sign_with == "current" else self.keyset.outsider(family)
        headers = {"typ": "JWT", "kid": kid or current.kid}
        # The JWS layer signs any payload, so tests can mint claims of the wrong type too.
        payload = json.dumps(dict(claims), separators=(",", ":")).encode("utf-8")
        return jwt.api_jws.encode(payload, key.private_key, algorithm=alg, headers=headers)

    def _primary(self) -> SigningKey:
        algorithms = self.keyset.algorithms
        return self.keyset.current("RS256" if "RS256" in algorithms else algorithms[0])

    def _family(self, alg: str) -> str:
        if alg in _RSA_ALGS:
            return "RS256"
        if alg == "ES256":
            return "ES256"
        raise ValueError(f"alg must be one of {(*_RSA_ALGS, 'ES256')}, got {alg!r}")

    def issue_opaque(self, claims: Mapping[str, Any]) -> str:
        """A random opaque token whose claims only this issuer knows (for introspection)."""
        self._prune()
        token = secrets.token_urlsafe(32)
        self._opaque[_digest(token)] = dict(claims)
        return token

    def _prune(self) -> None:
        # Keep expired tokens an hour so they still read as inactive, then forget them.
        horizon = time.time() - 3600
        stale = [d for d, c in self._opaque.items() if float(c.get("exp", 0)) < horizon]
        for digest in stale:
            del self._opaque[digest]

    def inspect(self, token: str) -> dict[str, Any] | None:
        """The claims of a live token issued here (JWT or opaque), or None if not active."""
        if not token:
            return None
        stored = self._opaque.get(_digest(token))
        if stored is not None:
            now = time.time()
            live = float(stored.get("exp", 0)) > now and float(stored.get("nbf", 0)) <= now
            return dict(stored) if live else None
        return self._verify_jwt(token)

    def _verify_jwt(self, token: str) -> dict[str, Any] | None:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self.keyset.get(kid) if isinstance(kid, str) else None
            if key is None:
                return None
            claims: dict[str, Any] = jwt.decode(
                token,
                key.public_key,
                algorithms=[key.alg],
                issuer=self.issuer,
                # Audience is the resource server's check; introspection reports it.
                options={"verify_aud": False, "require": ["exp", "iat", "sub"]},
            )
        except jwt.PyJWTError:
            return None
        return claims
