"""Authentication: HTTP Basic for the integration user and the OAuth `oauth_token.do` endpoint."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from servicenow_simulator.errors import not_authenticated

__all__ = ["Credentials", "TokenIssuer"]

_REFRESH_TTL = 100 * 24 * 3600  # the real default refresh token lifespan: 100 days


@dataclass(frozen=True, slots=True)
class Credentials:
    """The integration account and the OAuth application registry entry."""

    username: str
    password: str
    client_id: str
    client_secret: str | None

    def __post_init__(self) -> None:
        if not self.username:
            raise ValueError("username must not be empty")
        if not self.password:
            raise ValueError("password is required and must not be empty")
        if not self.client_id:
            raise ValueError("client_id must not be empty")
        if self.client_secret is not None and not self.client_secret:
            raise ValueError("client_secret must be None (OAuth off) or a non-empty string")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


class TokenIssuer:
    """Issues, refreshes and checks opaque bearer tokens; checks Basic credentials."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        token_ttl: int = 1800,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if token_ttl < 1:
            raise ValueError("token_ttl must be at least 1 second")
        self.credentials = credentials
        self.token_ttl = token_ttl
        self._clock = clock
        self._access: dict[str, tuple[str, float]] = {}
        self._refresh: dict[str, tuple[str, float]] = {}

    def reset(self) -> None:
        """Forget every issued token."""
        self._access.clear()
        self._refresh.clear()

    def expire_all(self) -> int:
        """Expire every access token now (refresh tokens stay valid); returns how many."""
        count = len(self._access)
        self._access.clear()
        return count

    def authenticate(self, authorization: str | None) -> str:
        """The user name behind an Authorization header; raises 401 otherwise."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise not_authenticated() from None
            user, _, password = decoded.partition(":")
            creds = self.credentials
            if _same(user, creds.username) & _same(password, creds.password):
                return creds.username
        elif scheme.lower() == "bearer":
            entry = self._access.get(value.strip())
            if entry is not None and entry[1] > self._clock():
                return entry[0]
            self._access.pop(value.strip(), None)
        raise not_authenticated()

    def token(self, form: Mapping[str, str]) -> tuple[int, dict[str, object]]:
        """Answer an `oauth_token.do` form post: (status, JSON body)."""
        creds = self.credentials
        grant = form.get("grant_type", "")
        if grant not in ("password", "refresh_token", "client_credentials"):
            return 400, {"error": "unsupported_grant_type",
                         "error_description": f"Unsupported grant type '{grant}'"}  # fmt: skip
        client_ok = creds.client_secret is not None and (
            _same(form.get("client_id", ""), creds.client_id)
            & _same(form.get("client_secret", ""), creds.client_secret)
        )
        user: str | None = None
        if client_ok and grant == "password":
            password_ok = _same(form.get("username", ""), creds.username) & _same(
                form.get("password", ""), creds.password
            )
            user = creds.username if password_ok else None
        elif client_ok and grant == "client_credentials":
            user = creds.username  # the OAuth entity's "OAuth Application User"
        elif client_ok:
            entry = self._refresh.get(form.get("refresh_token", ""))
            user = entry[0] if entry is not None and entry[1] > self._clock() else None
        if user is None:
            # The real instance answers every credential failure with this same body.
            return 401, {"error_description": "access_denied", "error": "server_error"}
        access = secrets.token_urlsafe(64)
        self._access[access] = (user, self._clock() + self.token_ttl)
        body: dict[str, object] = {
            "access_token": access,
            "scope": "useraccount",
            "token_type": "Bearer",
            "expires_in": self.token_ttl,
        }
        if grant == "refresh_token":
            body["refresh_token"] = form["refresh_token"]  # reusable until it expires
        elif grant == "password":
            refresh = secrets.token_urlsafe(64)
            self._refresh[refresh] = (user, self._clock() + _REFRESH_TTL)
            body["refresh_token"] = refresh
        return 200, body
