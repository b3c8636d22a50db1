"""ServiceNow credentials from the SecretStore, and OAuth bearer tokens (`/oauth_token.do`)."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from mcp_common.errors import ConfigurationError, UpstreamError
from mcp_common.http import verify_tls_of

from .errors import ServiceNowError, error_from_response

__all__ = ["Credentials", "OAuthSession"]

TOKEN_PATH = "/oauth_token.do"


@dataclass(frozen=True, slots=True)
class Credentials:
    """The instance URL and the integration account; OAuth when a client id/secret is set."""

    instance_url: str
    username: str
    password: str = field(repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    verify_tls: bool = True

    def __post_init__(self) -> None:
        parts = urlsplit(self.instance_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "instance_url must be an http(s) URL such as https://acme.service-now.com"
            )
        if not self.username or not self.password:
            raise ValueError("username and password must not be empty")
        if bool(self.client_id) != bool(self.client_secret):
            raise ValueError("client_id and client_secret go together (both or neither)")

    @classmethod
    def from_secret(cls, data: Mapping[str, Any], path: str) -> Credentials:
        """Read the secret's keys; the error names the key at fault, never a value."""
        missing = [k for k in ("instance_url", "username", "password") if not data.get(k)]
        if missing:
            raise ConfigurationError(f"secret '{path}' lacks {', '.join(missing)}")
        try:
            return cls(
                instance_url=str(data["instance_url"]).rstrip("/"),
                username=str(data["username"]),
                password=str(data["password"]),
                client_id=str(data["client_id"]) if data.get("client_id") else None,
                client_secret=str(data["client_secret"]) if data.get("client_secret") else None,
                verify_tls=verify_tls_of(data, path),
            )
        except ValueError as exc:
            raise ConfigurationError(f"secret '{path}': {exc}") from None

    @property
    def oauth(self) -> bool:
        """True when the OAuth password grant is configured."""
        return bool(self.client_id and self.client_secret)

    def fingerprint(self) -> str:
        """A digest of everything a token depends on (detects rotated credentials)."""
        raw = "\0".join(
            (self.instance_url, self.username, self.password, self.client_id or "",
             self.client_secret or "")
        )  # fmt: skip
        return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


class OAuthSession:
    """Holds one access token: password grant, refresh grant before expiry and after a 401."""

    def __init__(
        self,
        *,
        backend: str = "servicenow",
        margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if margin < 0:
            raise ValueError("margin must be >= 0 seconds")
        self.backend = backend
        self.margin = margin
        self._clock = clock
        self._lock = asyncio.Lock()
        self._fingerprint = ""
        self._access: str | None = None
        self._refresh: str | None = None
        self._renew_at = 0.0
        self.grants: list[str] = []  # grant types used, for operators and tests

    def reset(self) -> None:
        """Forget every token."""
        self._access = self._refresh = None
        self._renew_at = 0.0

    def invalidate(self, token: str) -> None:
        """ServiceNow answered 401 to `token`: the next call gets a fresh one."""
        if token == self._access:
            self._access = None

    async def token(self, http: httpx.AsyncClient, creds: Credentials) -> str:
        """A valid access token, renewed when missing, close to expiry or for new credentials."""
        async with self._lock:
            if creds.fingerprint() != self._fingerprint:
                self.reset()
                self._fingerprint = creds.fingerprint()
            if self._access is not None and self._clock() < self._renew_at:
                return self._access
            if self._refresh is not None:
                try:
                    return await self._grant(http, creds, "refresh_token")
                except ServiceNowError:
                    self._refresh = None  # expired or revoked: start again with the password
            return await self._grant(http, creds, "password")

    async def _grant(self, http: httpx.AsyncClient, creds: Credentials, grant: str) -> str:
        form = {"grant_type": grant, "client_id": creds.client_id or "",
                "client_secret": creds.client_secret or ""}  # fmt: skip
        if grant == "password":
            form.update(username=creds.username, password=creds.password)
        else:
            form["refresh_token"] = self._refresh or ""
        started = self._clock()
        response = await http.post(TOKEN_PATH, data=form, headers={"Accept": "application/json"})
        self.grants.append(grant)
        if response.status_code >= 400:
            error = error_from_response(response)
            raise ServiceNowError(
                error.status,
                "OAuth token request refused",
                f"{error.message}; check client_id, client_secret, username and password",
            )
        try:
            body = response.json()
            access = str(body["access_token"])
            lifetime = float(body.get("expires_in", 1800))
        except (ValueError, KeyError, TypeError):
            raise UpstreamError(
                f"{self.backend} returned an unreadable OAuth token response",
                backend=self.backend, status=response.status_code,
            ) from None  # fmt: skip
        self._access = access
        self._refresh = str(body["refresh_token"]) if body.get("refresh_token") else self._refresh
        # Renew ahead of expiry so no request is sent with a token about to lapse.
        self._renew_at = started + lifetime - min(self.margin, lifetime / 2)
        return access
