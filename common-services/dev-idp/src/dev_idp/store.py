"""What the dev issuer remembers between requests: sign-ins, authorization codes, refresh tokens.

In memory, behind one lock (authlib runs in worker threads). Codes and refresh tokens are kept
by SHA-256, so a dump of the store holds nothing usable. Refresh tokens rotate: each use
spends the token and issues the next one of the same family; presenting a spent token again
revokes the whole family (OAuth 2.1 / RFC 9700 4.14.2 reuse detection). Replaying an
authorization code revokes the family issued from it (RFC 6749 4.1.2).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, TokenMixin

from .identities import Identity

__all__ = ["AuthorizationCode", "GrantStore", "RefreshToken", "SignIn"]

log = logging.getLogger("dev_idp")

CODE_TTL = 60
_MAX_ENTRIES = 50_000


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SignIn:
    """A person who signed in at /authorize: how (RFC 8176 `amr`) and when."""

    identity: Identity
    amr: tuple[str, ...]
    acr: str
    auth_time: int


@dataclass(slots=True)
class AuthorizationCode(AuthorizationCodeMixin):  # type: ignore[misc]
    """An issued code, bound to its client, redirect URI, PKCE challenge and resource."""

    client_id: str
    redirect_uri: str | None
    scope: str
    sign_in: SignIn
    code_challenge: str
    code_challenge_method: str
    resource: str | None
    nonce: str | None
    expires_at: float = field(default_factory=lambda: time.time() + CODE_TTL)
    family: str | None = None  # the refresh family issued from it, for replay revocation

    def get_redirect_uri(self) -> str | None:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass(slots=True)
class RefreshToken(TokenMixin):  # type: ignore[misc]
    """One refresh token of a family (one sign-in at one client)."""

    family: str
    client_id: str
    scope: str
    sign_in: SignIn
    resource: str | None
    expires_at: float
    used: bool = False

    def check_client(self, client: object) -> bool:
        return getattr(client, "client_id", None) == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int(self.expires_at - time.time()))

    def is_expired(self) -> bool:
        return self.expires_at <= time.time()

    def is_revoked(self) -> bool:
        return self.used


class GrantStore:
    """Authorization codes and refresh-token families."""

    def __init__(self, refresh_ttl: int) -> None:
        if refresh_ttl <= 0:
            raise ValueError("refresh_ttl must be a positive number of seconds")
        self.refresh_ttl = refresh_ttl
        self._lock = threading.Lock()
        self._codes: dict[str, AuthorizationCode] = {}
        self._spent_codes: dict[str, AuthorizationCode] = {}
        self._refresh: dict[str, RefreshToken] = {}
        self._revoked: set[str] = set()

    # -- authorization codes --------------------------------------------------------------

    def save_code(self, code: str, record: AuthorizationCode) -> None:
        with self._lock:
            self._prune()
            self._codes[_digest(code)] = record

    def take_code(self, code: str, client_id: str) -> AuthorizationCode | None:
        """The code's record, once: a second presentation revokes what the first obtained."""
        digest = _digest(code)
        with self._lock:
            record = self._codes.pop(digest, None)
            if record is None:
                spent = self._spent_codes.get(digest)
                if spent is not None and spent.family is not None:
                    self._revoked.add(spent.family)
                    log.warning("authorization code replayed: its tokens are revoked")
                return None
            self._spent_codes[digest] = record
        if record.client_id != client_id or record.expires_at <= time.time():
            return None
        return record

    # -- refresh tokens -------------------------------------------------------------------

    def new_family(self) -> str:
        return secrets.token_hex(16)

    def issue_refresh(
        self, family: str, client_id: str, scope: str, sign_in: SignIn, resource: str | None
    ) -> str:
        token = secrets.token_urlsafe(32)
        expires_at = time.time() + self.refresh_ttl
        record = RefreshToken(family=family, client_id=client_id, scope=scope, sign_in=sign_in,
                              resource=resource, expires_at=expires_at)  # fmt: skip
        with self._lock:
            self._prune()
            self._refresh[_digest(token)] = record
        return token

    def use_refresh(self, token: str) -> RefreshToken | None:
        """Spend a refresh token: its record if live; reuse of a spent one revokes its family."""
        with self._lock:
            record = self._refresh.get(_digest(token))
            if record is None or record.family in self._revoked:
                return None
            if record.used:
                self._revoked.add(record.family)
                log.warning(
                    "refresh token reused: family revoked", extra={"client.id": record.client_id}
                )
                return None
            if record.is_expired():
                return None
            record.used = True
            return record

    def mark_code_family(self, code: AuthorizationCode, family: str) -> None:
        with self._lock:
            code.family = family

    def family_revoked(self, family: str) -> bool:
        with self._lock:
            return family in self._revoked

    def _prune(self) -> None:
        now = time.time()
        if len(self._codes) + len(self._spent_codes) > _MAX_ENTRIES:
            self._codes = {k: v for k, v in self._codes.items() if v.expires_at > now}
            horizon = now - 3600
            self._spent_codes = {
                k: v for k, v in self._spent_codes.items() if v.expires_at > horizon
            }
        if len(self._refresh) > _MAX_ENTRIES:
            self._refresh = {k: v for k, v in self._refresh.items() if v.expires_at > now}
