"""A JWKS cache that re-fetches on an unknown `kid`, at most once per interval."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import jwt

from mcp_common.errors import AuthenticationError
from mcp_common.observability._logging import get_logger

__all__ = ["JWKSCache"]

_log = get_logger(__name__)


class JWKSCache:
    """Holds an issuer's public keys; rotation is picked up without a restart."""

    def __init__(
        self,
        url: str,
        client: httpx.AsyncClient,
        *,
        min_refresh_interval: float = 30.0,
        max_age: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"JWKS URL must be http(s): {url!r}")
        if min_refresh_interval < 0 or max_age <= 0:
            raise ValueError("refresh intervals must be positive")
        self.url = url
        self._client = client
        self._min_refresh = min_refresh_interval
        self._max_age = max_age
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    @property
    def loaded(self) -> bool:
        """True once keys were fetched at least once."""
        return self._fetched_at is not None and bool(self._keys)

    async def get(self, kid: str | None) -> jwt.PyJWK:
        """The key for `kid`; fetch again when unknown (rate-limited) or stale."""
        now = self._clock()
        stale = self._fetched_at is None or now - self._fetched_at > self._max_age
        key = self._lookup(kid)
        if key is not None and not stale:
            return key
        if stale or self._may_refresh(now):
            await self.refresh()
            key = self._lookup(kid)
        if key is None:
            raise AuthenticationError("token signed with an unknown key")
        return key

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            # Without a kid only an issuer publishing exactly one key is unambiguous.
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _may_refresh(self, now: float) -> bool:
        return self._fetched_at is None or now - self._fetched_at >= self._min_refresh

    async def refresh(self) -> None:
        """Fetch the key set now (concurrent callers share one fetch)."""
        started = self._clock()
        async with self._lock:
            if self._fetched_at is not None and self._fetched_at >= started:
                return  # another task refreshed while we waited
            try:
                response = await self._client.get(self.url)
                response.raise_for_status()
                keyset = jwt.PyJWKSet.from_dict(response.json())
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
                _log.warning(
                    "JWKS fetch failed",
                    extra={
                        "event.action": "jwks.fetch",
                        "event.outcome": "failure",
                        "error.type": type(exc).__name__,
                    },
                )
                if self._keys:
                    # Keep serving the keys we have; try again after the interval.
                    self._fetched_at = self._clock()
                    return
                raise AuthenticationError("signing keys are unavailable") from None
            keys = {k.key_id: k for k in keyset.keys if k.key_id and k.public_key_use != "enc"}
            if not keys and len(keyset.keys) == 1:
                only = keyset.keys[0]
                keys = {only.key_id or "": only}
            self._keys = keys
            self._fetched_at = self._clock()
            _log.info(
                "JWKS loaded",
                extra={
                    "event.action": "jwks.fetch",
                    "event.outcome": "success",
                    "jwks.keys": len(keys),
                },
            )
