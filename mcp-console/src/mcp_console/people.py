"""The signed-in person: who they are (from the issuer's verified claims) and their tokens.

Both live in the server-side session only; the browser never sees a token.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mcp_common.auth import claim_path

__all__ = ["Person", "PersonTokens", "SignInRequired", "safe_next"]


class SignInRequired(Exception):
    """No live session: send the person to sign in, then back to `next`."""

    def __init__(self, next_path: str = "/") -> None:
        super().__init__("sign-in required")
        self.next_path = safe_next(next_path)


def safe_next(value: str | None) -> str:
    """A local path to return to after sign-in; anything else (another site) becomes "/"."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    if parts.path.startswith("/auth/"):
        return "/"
    return value[:2000]


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(sorted({str(v) for v in value if isinstance(v, str) and v}))
    return ()


@dataclass(frozen=True, slots=True)
class Person:
    """Who is signed in, as the issuer said at sign-in."""

    subject: str
    name: str
    email: str
    groups: tuple[str, ...]
    mfa: bool

    @classmethod
    def from_claims(
        cls, claims: Mapping[str, Any], *, groups_claim: str, mfa_methods: Iterable[str]
    ) -> Person:
        """From verified ID token claims merged with userinfo; ValueError without `sub`."""
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise ValueError("the issuer named no subject")
        name = claims.get("preferred_username") or claims.get("name") or claims.get("email")
        amr = set(_strings(claims.get("amr")))
        mfa = bool(amr & set(mfa_methods)) or claims.get("acr") in ("mfa", "2", "silver", "gold")
        return cls(
            subject=subject,
            name=str(name or subject),
            email=str(claims.get("email") or ""),
            groups=_strings(claim_path(claims, groups_claim)),
            mfa=mfa,
        )

    def to_dict(self) -> dict[str, Any]:
        """For the session store."""
        return {
            "subject": self.subject,
            "name": self.name,
            "email": self.email,
            "groups": list(self.groups),
            "mfa": self.mfa,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Person:
        """From the session store."""
        return cls(
            subject=str(data["subject"]),
            name=str(data["name"]),
            email=str(data.get("email") or ""),
            groups=tuple(data.get("groups") or ()),
            mfa=bool(data.get("mfa")),
        )

    def in_group(self, group: str) -> bool:
        """Whether the person belongs to `group`."""
        return group in self.groups


@dataclass(frozen=True, slots=True)
class PersonTokens:
    """The person's own tokens from sign-in (the subject token of every exchange)."""

    access_token: str
    expires_at: float
    refresh_token: str | None = None

    @classmethod
    def from_response(cls, token: Mapping[str, Any], now: float | None = None) -> PersonTokens:
        """From a token endpoint response; ValueError without an access token."""
        access = token.get("access_token")
        if not isinstance(access, str) or not access:
            raise ValueError("the issuer returned no access token")
        now = time.time() if now is None else now
        expires_at = token.get("expires_at")
        if not isinstance(expires_at, int | float):
            lifetime = token.get("expires_in")
            lifetime = lifetime if isinstance(lifetime, int | float) and lifetime > 0 else 60
            expires_at = now + float(lifetime)
        refresh = token.get("refresh_token")
        return cls(access, float(expires_at), refresh if isinstance(refresh, str) else None)

    def fresh(self, margin: float = 20.0, now: float | None = None) -> bool:
        """Still usable for `margin` seconds."""
        return (time.time() if now is None else now) + margin < self.expires_at

    def to_dict(self) -> dict[str, Any]:
        """For the session store."""
        return {
            "access_token": self.access_token,
            "expires_at": self.expires_at,
            "refresh_token": self.refresh_token,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PersonTokens:
        """From the session store."""
        return cls(str(data["access_token"]), float(data["expires_at"]), data.get("refresh_token"))
