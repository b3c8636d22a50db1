"""OIDC bearer-token verification: local JWT checks against cached JWKS, opaque tokens aside."""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol, runtime_checkable

import httpx
import jwt

from mcp_common.auth._introspection import OpaqueTokenResolver
from mcp_common.auth._jwks import JWKSCache
from mcp_common.auth._principal import Principal
from mcp_common.errors import AuthenticationError
from mcp_common.observability._logging import get_logger
from mcp_common.observability._metrics import PlatformMetrics

__all__ = [
    "OIDCVerifier",
    "TokenVerifier",
    "claim_path",
    "principal_from_claims",
    "verify_bearer",
]

_log = get_logger(__name__)
_ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


@runtime_checkable
class TokenVerifier(Protocol):
    """Turns a bearer token into a Principal or raises AuthenticationError."""

    async def verify(self, token: str) -> Principal:
        """Verify `token` and return who it names."""
        ...

    async def ready(self) -> bool:
        """True when keys (or the introspection endpoint) are available."""
        ...

    async def aclose(self) -> None:
        """Release resources."""
        ...


async def verify_bearer(
    verifier: TokenVerifier, token: str, metrics: PlatformMetrics | None = None
) -> Principal:
    """`verifier.verify(token)` at a service's edge: the outcome counted, a refusal logged.

    Fails closed: an unexpected error (a verifier bug) is counted as `error`, logged by its
    type only, and refused as AuthenticationError like any token that is not acceptable.
    """
    try:
        principal = await verifier.verify(token)
    except Exception as exc:
        failure = {"event.action": "authentication", "event.outcome": "failure"}
        if isinstance(exc, AuthenticationError):
            _count(metrics, "failure")
            _log.info("authentication failed", extra={**failure, "event.reason": str(exc)})
            raise
        _count(metrics, "error")
        _log.warning(
            "token verification error", extra={**failure, "error.type": type(exc).__name__}
        )
        raise AuthenticationError("token could not be verified") from None
    _count(metrics, "success")
    return principal


def _count(metrics: PlatformMetrics | None, outcome: str) -> None:
    if metrics is not None:
        metrics.auth_outcome(outcome)


def claim_path(claims: Mapping[str, Any], path: str) -> Any:
    """The claim at a dotted `path` (Keycloak: `realm_access.roles`), or None when absent."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _as_strings(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(v for v in value.replace(",", " ").split() if v)
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(str(v).strip("/") for v in value if isinstance(v, str | int) and v)
    return frozenset()


_MAX_ACTORS = 8


def actor_chain(act: Any) -> tuple[str, ...]:
    """The actors in an RFC 8693 `act` claim, the current one first (`act.sub`, `act.act.sub`).

    A token that claims delegation in a shape we cannot read is refused rather than taken for
    the person's own token: each level must be an object with a non-empty string `sub`.
    """
    chain: list[str] = []
    while act is not None:
        actor = act.get("sub") if isinstance(act, Mapping) else None
        if not isinstance(actor, str) or not actor or len(chain) >= _MAX_ACTORS:
            raise AuthenticationError("token 'act' claim is malformed")
        chain.append(actor)
        act = act.get("act")
    return tuple(chain)


def principal_from_claims(
    claims: Mapping[str, Any], *, groups_claim: str, mfa_methods: Sequence[str]
) -> Principal:
    """Map verified claims to a Principal (groups by claim path, MFA from `amr`/`acr`).

    `on_behalf_of` comes from the issuer's `on_behalf_of` claim only; `actors` from the
    RFC 8693 `act` claim (see `actor_chain`).
    """
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise AuthenticationError("token has no subject")
    amr = _as_strings(claims.get("amr"))
    acr = claims.get("acr")
    mfa = bool(amr & set(mfa_methods)) or (isinstance(acr, str) and acr in mfa_methods)
    scopes = _as_strings(claims.get("scope")) | _as_strings(claims.get("scp"))
    # Legacy: a workload's own token naming a person in `on_behalf_of` (dev issuer, a
    # Keycloak mapper). An RFC 8693 `act` claim is the reverse (`sub` is the person, `act.sub`
    # the actor): it becomes `actors`, never on_behalf_of.
    delegated = claims.get("on_behalf_of")
    on_behalf_of = delegated if isinstance(delegated, str) and delegated else None
    exp = claims.get("exp")
    return Principal(
        subject=subject,
        groups=_as_strings(claim_path(claims, groups_claim)),
        scopes=scopes,
        mfa=mfa,
        client_id=claims.get("azp") or claims.get("client_id"),
        on_behalf_of=on_behalf_of,
        actors=actor_chain(claims.get("act")),
        expires_at=float(exp) if isinstance(exp, int | float) else None,
        claims=dict(claims),
    )


def _number(value: Any) -> float | None:
    """A finite JSON number (never a bool or a numeric string), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _check_lifetime(
    claims: Mapping[str, Any], max_lifetime: float | None, *, required: bool
) -> None:
    """Refuse `exp`/`iat` that are not numbers and lifetimes (`exp - iat`) over the maximum.

    JWTs must carry both (a token without `iat` could live for ever unnoticed). For opaque
    tokens the issuer's introspection answer decides: each claim is checked when present.
    """
    exp, iat = claims.get("exp"), claims.get("iat")
    if (required or exp is not None) and _number(exp) is None:
        raise AuthenticationError("token 'exp' claim is not a number")
    if (required or iat is not None) and _number(iat) is None:
        raise AuthenticationError("token 'iat' claim is not a number")
    start, end = _number(iat), _number(exp)
    if max_lifetime is not None and start is not None and end is not None:
        lifetime = end - start
        if lifetime > max_lifetime:
            raise AuthenticationError(
                f"token lifetime exceeds the maximum of {max_lifetime:g} seconds"
            )


class OIDCVerifier:
    """Verifies JWT access tokens locally (signature, alg, iss, aud, exp, nbf, iat, lifetime).

    Keys come from the issuer's JWKS (discovered, cached, re-fetched on an unknown kid).
    Opaque tokens go to RFC 7662 introspection or userinfo when enabled, cached by hash.
    `exp` and `iat` must be numbers, and `exp - iat` at most `max_token_lifetime` seconds
    (default 24 h; None for no maximum).
    """

    def __init__(
        self,
        issuer: str,
        audience: str,
        *,
        jwks_url: str | None = None,
        algorithms: Sequence[str] = ("RS256", "ES256", "PS256"),
        leeway: float = 30.0,
        max_token_lifetime: float | None = 86_400.0,
        groups_claim: str = "groups",
        mfa_methods: Sequence[str] = ("mfa", "otp", "hwk", "duo"),
        opaque_tokens: Literal["off", "introspection", "userinfo"] = "off",
        client_id: str | None = None,
        client_secret: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        timeout: float = 5.0,
        jwks_min_refresh: float = 30.0,
        cache_seconds: float = 30.0,
        cache_entries: int = 50_000,
    ) -> None:
        if not issuer.startswith(("https://", "http://")):
            raise ValueError(f"issuer must be an http(s) URL: {issuer!r}")
        if not audience:
            raise ValueError("audience is required")
        bad = [a for a in algorithms if a not in _ASYMMETRIC]
        if bad or not algorithms:
            # 'none' and HS* would let anyone holding the public key forge tokens.
            raise ValueError(f"only asymmetric algorithms are allowed, got {bad or 'none'}")
        if leeway < 0 or leeway > 300:
            raise ValueError("leeway must be between 0 and 300 seconds")
        if max_token_lifetime is not None and not max_token_lifetime > 0:
            raise ValueError("max_token_lifetime must be > 0 seconds (or None for no maximum)")
        self.max_token_lifetime = max_token_lifetime
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.algorithms = list(algorithms)
        self.leeway = leeway
        self.groups_claim = groups_claim
        self.mfa_methods = tuple(mfa_methods)
        self._own_client = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=5),
        )
        self._jwks_url = jwks_url
        self._jwks: JWKSCache | None = None
        self._jwks_min_refresh = jwks_min_refresh
        self._opaque = (
            OpaqueTokenResolver(
                self._http, mode=opaque_tokens, client_id=client_id, client_secret=client_secret
            )
            if opaque_tokens != "off"
            else None
        )
        self._cache_seconds = cache_seconds
        self._cache_entries = cache_entries
        self._cache: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    async def _discover(self) -> None:
        url = f"{self.issuer}/.well-known/openid-configuration"
        try:
            response = await self._http.get(url)
            response.raise_for_status()
            config = response.json()
        except (httpx.HTTPError, ValueError):
            raise AuthenticationError("identity provider discovery failed") from None
        if str(config.get("issuer", "")).rstrip("/") != self.issuer:
            raise AuthenticationError("identity provider discovery returned another issuer")
        jwks_uri = self._jwks_url or config.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise AuthenticationError("identity provider publishes no jwks_uri")
        self._jwks = JWKSCache(jwks_uri, self._http, min_refresh_interval=self._jwks_min_refresh)
        if self._opaque is not None:
            self._opaque.configure(config)

    async def _keys(self) -> JWKSCache:
        if self._jwks is None:
            if self._jwks_url and self._opaque is None:
                self._jwks = JWKSCache(
                    self._jwks_url, self._http, min_refresh_interval=self._jwks_min_refresh
                )
            else:
                await self._discover()
        assert self._jwks is not None
        return self._jwks

    async def verify(self, token: str) -> Principal:
        """Verify `token`; raise AuthenticationError with a short, safe reason."""
        if not token or len(token) > 16_384:
            raise AuthenticationError("malformed token")
        key = hashlib.sha256(token.encode()).hexdigest()
        hit = self._cache.get(key)
        now = time.time()
        if hit is not None:
            if hit[0] > now:
                return hit[1]
            self._cache.pop(key, None)
        if token.count(".") == 2:
            principal = await self._verify_jwt(token)
        elif self._opaque is not None:
            await self._keys()  # discovery gives the introspection/userinfo endpoints
            claims = await self._opaque.resolve(token)
            _check_lifetime(claims, self.max_token_lifetime, required=False)
            principal = self._to_principal(claims)
        else:
            raise AuthenticationError("malformed token")
        until = now + self._cache_seconds
        if principal.expires_at is not None:
            until = min(until, principal.expires_at)
        self._cache[key] = (until, principal)
        if len(self._cache) > self._cache_entries:
            self._cache.popitem(last=False)
        return principal

    async def _verify_jwt(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthenticationError("malformed token") from None
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise AuthenticationError(f"token algorithm {str(alg)[:16]!r} is not allowed")
        kid = header.get("kid")
        jwks = await self._keys()
        signing_key = await jwks.get(kid if isinstance(kid, str) else None)
        try:
            claims = jwt.decode(
                token,
                key=signing_key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("token expired") from None
        except jwt.ImmatureSignatureError:
            raise AuthenticationError("token not yet valid") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationError("token audience is not accepted") from None
        except jwt.InvalidIssuerError:
            raise AuthenticationError("token issuer is not accepted") from None
        except jwt.InvalidSignatureError:
            raise AuthenticationError("token signature is invalid") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthenticationError(f"token lacks the '{exc.claim}' claim") from None
        except jwt.PyJWTError:
            raise AuthenticationError("token is invalid") from None
        # PyJWT accepts numeric strings for exp/iat ("9999999999") and bounds no lifetime.
        _check_lifetime(claims, self.max_token_lifetime, required=True)
        return self._to_principal(claims)

    def _to_principal(self, claims: Mapping[str, Any]) -> Principal:
        return principal_from_claims(
            claims, groups_claim=self.groups_claim, mfa_methods=self.mfa_methods
        )

    async def ready(self) -> bool:
        """True when signing keys are loaded (fetching them if needed)."""
        try:
            jwks = await self._keys()
            if not jwks.loaded:
                await jwks.refresh()
            return jwks.loaded
        except AuthenticationError:
            return False

    async def aclose(self) -> None:
        """Close the HTTP client if this verifier created it."""
        if self._own_client:
            await self._http.aclose()

    def __repr__(self) -> str:
        return f"OIDCVerifier(issuer={self.issuer!r}, audience={self.audience!r})"
