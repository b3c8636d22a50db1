"""Opaque access tokens: RFC 7662 introspection or the userinfo endpoint."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Literal

import httpx

from mcp_common.errors import AuthenticationError

__all__ = ["OpaqueTokenResolver"]


class OpaqueTokenResolver:
    """Resolves an opaque token to claims through the IdP (results cached by the verifier)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        mode: Literal["introspection", "userinfo"],
        client_id: str | None = None,
        client_secret: str | None = None,
        default_ttl: float = 60.0,
    ) -> None:
        if mode == "introspection" and not (client_id and client_secret):
            raise ValueError("introspection needs client_id and client_secret")
        self.mode = mode
        self._client = client
        self._client_id = client_id
        self._client_secret = client_secret
        self._default_ttl = default_ttl
        self._endpoint: str | None = None

    def configure(self, discovery: Mapping[str, Any]) -> None:
        """Take the endpoint from the issuer's discovery document."""
        key = "introspection_endpoint" if self.mode == "introspection" else "userinfo_endpoint"
        endpoint = discovery.get(key)
        if not isinstance(endpoint, str):
            raise AuthenticationError(f"identity provider publishes no {key}")
        self._endpoint = endpoint

    async def resolve(self, token: str) -> dict[str, Any]:
        """Return claims for an active token or raise AuthenticationError."""
        if self._endpoint is None:
            raise AuthenticationError("token introspection is not configured")
        try:
            if self.mode == "introspection":
                assert self._client_id and self._client_secret
                response = await self._client.post(
                    self._endpoint,
                    data={"token": token, "token_type_hint": "access_token"},
                    auth=(self._client_id, self._client_secret),
                )
            else:
                response = await self._client.get(
                    self._endpoint, headers={"Authorization": f"Bearer {token}"}
                )
        except httpx.HTTPError:
            raise AuthenticationError("identity provider unreachable") from None
        if self.mode == "userinfo" and response.status_code in (401, 403):
            raise AuthenticationError("token is not active")
        if response.status_code != 200:
            raise AuthenticationError("identity provider refused the token check")
        try:
            claims = response.json()
        except ValueError:
            raise AuthenticationError("identity provider sent a bad answer") from None
        if not isinstance(claims, dict):
            raise AuthenticationError("identity provider sent a bad answer")
        if self.mode == "introspection" and claims.get("active") is not True:
            raise AuthenticationError("token is not active")
        exp = claims.get("exp")
        if isinstance(exp, int | float) and exp <= time.time():
            raise AuthenticationError("token expired")
        if not isinstance(exp, int | float):
            # userinfo has no expiry: keep the answer only briefly.
            claims["exp"] = int(time.time() + self._default_ttl)
        return claims
