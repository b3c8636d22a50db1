"""Token exchange (RFC 8693): a workload swaps a person's token for one meant for a server.

The REST proxy and the Temporal worker never forward a person's token. They authenticate as
themselves (client credentials) and send the person's access token as the `subject_token`
and the target server's resource URI (RFC 8707) as `resource`; the issued token is the
person's, for that server only, and names the workload in `act`. Tokens are cached per
(subject token hash, resource) until shortly before they expire, and one request per key is
in flight at a time however many callers wait for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from urllib.parse import quote_plus

import httpx

from mcp_common.errors import AuthenticationError, UpstreamError
from mcp_common.observability._logging import get_logger

__all__ = ["SubjectTokenRefused", "TokenExchanger"]

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
_ISSUED_TYPES = frozenset({ACCESS_TOKEN_TYPE, "urn:ietf:params:oauth:token-type:jwt"})
# RFC 8693 2.2.2 / RFC 6749 5.2: errors that mean "this subject token will not do".
_SUBJECT_ERRORS = frozenset({"invalid_request", "invalid_grant", "invalid_token"})

_log = get_logger(__name__)

SecretSource = Callable[[], Awaitable[str]]


class SubjectTokenRefused(AuthenticationError):
    """The issuer would not exchange the person's token (expired, revoked, not a person's)."""


class TokenExchanger:
    """RFC 8693 exchanges at the issuer's token endpoint, as one workload client, cached.

    `exchange(subject_token, resource)` returns an access token for `resource` acting for the
    subject token's person. Errors: `SubjectTokenRefused` (an AuthenticationError) when the
    issuer refuses the person's token, `UpstreamError(backend="idp")` when the issuer is
    unreachable, failing, or refuses this client or the resource (a platform fault).
    """

    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: SecretSource | str,
        *,
        token_endpoint: str | None = None,
        refresh_margin: float = 30.0,
        timeout: float = 5.0,
        max_entries: int = 10_000,
        http_client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not issuer.startswith(("https://", "http://")):
            raise ValueError(f"issuer must be an http(s) URL: {issuer!r}")
        if token_endpoint is not None and not token_endpoint.startswith(("https://", "http://")):
            raise ValueError(f"token_endpoint must be an http(s) URL: {token_endpoint!r}")
        if not client_id:
            raise ValueError("client_id is required")
        if refresh_margin < 0 or timeout <= 0 or max_entries < 1:
            raise ValueError("refresh_margin >= 0, timeout > 0 and max_entries >= 1 are required")
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        if isinstance(client_secret, str):
            fixed = client_secret

            async def _fixed() -> str:
                return fixed

            self._secret: SecretSource = _fixed
        else:
            self._secret = client_secret
        self._token_url = token_endpoint
        self._margin = refresh_margin
        self._max = max_entries
        self._clock = clock
        self._own_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        )
        self._cache: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}
        self.requests = 0  # exchanges sent to the issuer (cache misses), for tests and metrics

    @staticmethod
    def _key(subject_token: str, resource: str) -> str:
        digest = hashlib.sha256(subject_token.encode()).hexdigest()
        return f"{digest} {resource}"

    async def exchange(self, subject_token: str, resource: str) -> str:
        """A live token for `resource` acting for the person of `subject_token`."""
        if not subject_token:
            raise SubjectTokenRefused("no subject token to exchange")
        if not resource:
            raise ValueError("resource is required")
        key = self._key(subject_token, resource)
        hit = self._fresh(key)
        if hit is not None:
            return hit
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # single flight: one exchange per key, the others wait for it
            hit = self._fresh(key)
            if hit is not None:
                return hit
            token, lifetime = await self._request(subject_token, resource)
            # Refresh before expiry, and never later than half the lifetime.
            refresh_at = self._clock() + lifetime - min(self._margin, lifetime / 2)
            self._cache[key] = (refresh_at, token)
            self._cache.move_to_end(key)
            while len(self._cache) > self._max:
                oldest, _ = self._cache.popitem(last=False)
                self._locks.pop(oldest, None)
        if len(self._locks) > 2 * self._max:
            for name in [k for k, v in self._locks.items() if not v.locked()]:
                self._locks.pop(name, None)
        return token

    def invalidate(self, subject_token: str, resource: str) -> None:
        """Forget the exchanged token (the server refused it: revoked, keys rotated...)."""
        self._cache.pop(self._key(subject_token, resource), None)

    def _fresh(self, key: str) -> str | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        if self._clock() >= entry[0]:
            self._cache.pop(key, None)
            return None
        self._cache.move_to_end(key)
        return entry[1]

    async def _endpoint(self) -> str:
        if self._token_url is None:
            url = f"{self.issuer}/.well-known/openid-configuration"
            try:
                response = await self._http.get(url)
            except httpx.HTTPError as exc:
                raise _unreachable(exc) from None
            if response.status_code != 200:
                raise UpstreamError(
                    f"identity provider discovery answered HTTP {response.status_code}",
                    backend="idp",
                    status=response.status_code,
                    kind="http",
                )
            try:
                config = response.json()
            except ValueError:
                config = None
            if not isinstance(config, dict):
                raise UpstreamError("identity provider discovery is not JSON", backend="idp")
            if str(config.get("issuer", "")).rstrip("/") != self.issuer:
                raise UpstreamError("discovery names another issuer", backend="idp")
            endpoint = config.get("token_endpoint")
            if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
                raise UpstreamError("identity provider publishes no token endpoint", backend="idp")
            self._token_url = endpoint
        return self._token_url

    async def _request(self, subject_token: str, resource: str) -> tuple[str, float]:
        url = await self._endpoint()
        secret = await self._secret()
        # RFC 6749 2.3.1: both halves are form-urlencoded before Basic encoding.
        auth = httpx.BasicAuth(quote_plus(self.client_id), quote_plus(secret))
        form = {
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": subject_token,
            "subject_token_type": ACCESS_TOKEN_TYPE,
            "requested_token_type": ACCESS_TOKEN_TYPE,
            "resource": resource,
        }
        self.requests += 1
        try:
            response = await self._http.post(url, data=form, auth=auth)
        except httpx.HTTPError as exc:
            raise _unreachable(exc) from None
        status = response.status_code
        if status >= 500 or status == 429:
            raise UpstreamError(
                f"identity provider answered HTTP {status} to the token exchange",
                backend="idp",
                status=status,
                kind="http",
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if status != 200:
            error = str(body.get("error", "error") if isinstance(body, dict) else "error")[:40]
            _log.warning(
                "token exchange refused",
                extra={"client.id": self.client_id, "error.code": error, "http.status": status},
            )
            if status == 400 and error in _SUBJECT_ERRORS:
                raise SubjectTokenRefused(
                    f"the identity provider refused to exchange the caller's token ({error})"
                )
            # invalid_client, unauthorized_client, invalid_target...: ours to fix, not theirs.
            raise UpstreamError(
                f"the identity provider refused the token exchange of {self.client_id} ({error})",
                backend="idp",
                status=status,
                kind="refused",
            )
        if not isinstance(body, dict):
            raise UpstreamError("identity provider returned no usable access token", backend="idp")
        token = body.get("access_token")
        issued = body.get("issued_token_type", ACCESS_TOKEN_TYPE)
        if not isinstance(token, str) or not token or issued not in _ISSUED_TYPES:
            raise UpstreamError("identity provider returned no usable access token", backend="idp")
        lifetime = body.get("expires_in", 60)
        if isinstance(lifetime, bool) or not isinstance(lifetime, int | float) or lifetime <= 0:
            lifetime = 60
        return token, float(lifetime)

    async def aclose(self) -> None:
        """Close the HTTP client when this object created it."""
        if self._own_http:
            await self._http.aclose()

    def __repr__(self) -> str:
        return f"TokenExchanger(issuer={self.issuer!r}, client_id={self.client_id!r})"


def _unreachable(exc: httpx.HTTPError) -> UpstreamError:
    kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "network"
    return UpstreamError(
        f"identity provider unreachable ({type(exc).__name__})", backend="idp", kind=kind
    )
