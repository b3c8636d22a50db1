"""The worker's workload tokens: client credentials at the IdP, one per person served, cached.

Each token is the worker's own (its subject and group, so policy applies to automation) and
names the person the workflow serves in `on_behalf_of`, signed by the IdP (the
`requested_on_behalf_of` form field, honoured for workload clients only). Tokens are reused
until shortly before they expire and shared by every activity of the worker.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from urllib.parse import quote_plus

import httpx

from mcp_common.errors import AuthenticationError, UpstreamError
from mcp_common.logging import get_logger

__all__ = ["REQUEST_FIELD", "SecretSource", "WorkloadTokens"]

REQUEST_FIELD = "requested_on_behalf_of"
SecretSource = Callable[[], Awaitable[str]]
_log = get_logger(__name__)


class WorkloadTokens:
    """Client-credentials tokens of one workload client, per `on_behalf_of`, refreshed early."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: SecretSource,
        *,
        refresh_margin: float = 30.0,
        timeout: float = 5.0,
        max_entries: int = 1_000,
        http_client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not issuer.startswith(("https://", "http://")):
            raise ValueError(f"issuer must be an http(s) URL: {issuer!r}")
        if not client_id:
            raise ValueError("client_id is required")
        if refresh_margin < 0 or timeout <= 0 or max_entries < 1:
            raise ValueError("refresh_margin >= 0, timeout > 0 and max_entries >= 1 are required")
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self._margin = refresh_margin
        self._max = max_entries
        self._clock = clock
        self._own_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=httpx.Timeout(timeout))
        self._token_url: str | None = None
        self._cache: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}

    async def token(self, on_behalf_of: str) -> str:
        """A live token acting for `on_behalf_of` (AuthenticationError if the IdP refuses)."""
        if not on_behalf_of:
            raise ValueError("on_behalf_of is required: the worker always acts for a person")
        hit = self._fresh(on_behalf_of)
        if hit is not None:
            return hit
        lock = self._locks.setdefault(on_behalf_of, asyncio.Lock())
        async with lock:  # one request per person, however many activities wait for it
            hit = self._fresh(on_behalf_of)
            if hit is not None:
                return hit
            token, lifetime = await self._request(on_behalf_of)
            # Refresh well before expiry, and never later than half the lifetime.
            refresh_at = self._clock() + lifetime - min(self._margin, lifetime / 2)
            self._cache[on_behalf_of] = (refresh_at, token)
            self._cache.move_to_end(on_behalf_of)
            while len(self._cache) > self._max:
                oldest, _ = self._cache.popitem(last=False)
                self._locks.pop(oldest, None)
            return token

    def invalidate(self, on_behalf_of: str) -> None:
        """Forget the token for this person (after a 401, say)."""
        self._cache.pop(on_behalf_of, None)

    def _fresh(self, on_behalf_of: str) -> str | None:
        entry = self._cache.get(on_behalf_of)
        if entry is None or self._clock() >= entry[0]:
            return None
        return entry[1]

    async def _endpoint(self) -> str:
        if self._token_url is None:
            config = await self._get_json(f"{self.issuer}/.well-known/openid-configuration")
            if str(config.get("issuer", "")).rstrip("/") != self.issuer:
                raise AuthenticationError("identity provider discovery returned another issuer")
            url = config.get("token_endpoint")
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                raise AuthenticationError("identity provider publishes no token endpoint")
            self._token_url = url
        return self._token_url

    async def _get_json(self, url: str) -> dict[str, object]:
        try:
            response = await self._http.get(url)
        except httpx.HTTPError as exc:
            raise UpstreamError(
                f"identity provider unreachable ({type(exc).__name__})", backend="idp"
            ) from None
        if response.status_code != 200:
            raise UpstreamError(
                f"identity provider discovery answered HTTP {response.status_code}",
                backend="idp",
                status=response.status_code,
            )
        body = response.json()
        return body if isinstance(body, dict) else {}

    async def _request(self, on_behalf_of: str) -> tuple[str, float]:
        url = await self._endpoint()
        secret = await self._secret()
        # RFC 6749 2.3.1: both halves are form-urlencoded before Basic encoding.
        auth = httpx.BasicAuth(quote_plus(self.client_id), quote_plus(secret))
        form = {"grant_type": "client_credentials", REQUEST_FIELD: on_behalf_of}
        try:
            response = await self._http.post(url, data=form, auth=auth)
        except httpx.HTTPError as exc:
            raise UpstreamError(
                f"identity provider unreachable ({type(exc).__name__})", backend="idp"
            ) from None
        if response.status_code >= 500 or response.status_code == 429:
            raise UpstreamError(
                f"identity provider answered HTTP {response.status_code}",
                backend="idp",
                status=response.status_code,
            )
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict):
            error = body.get("error", "error") if isinstance(body, dict) else "error"
            _log.warning(
                "workload token refused",
                extra={"client.id": self.client_id, "error.code": str(error)[:40]},
            )
            raise AuthenticationError(
                f"identity provider refused the worker's token ({str(error)[:40]})"
            )
        token, lifetime = body.get("access_token"), body.get("expires_in", 60)
        if not isinstance(token, str) or not token:
            raise AuthenticationError("identity provider returned no access token")
        if not isinstance(lifetime, int | float) or lifetime <= 0:
            lifetime = 60
        return token, float(lifetime)

    async def aclose(self) -> None:
        """Close the HTTP client when this object created it."""
        if self._own_http:
            await self._http.aclose()
