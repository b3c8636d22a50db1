"""Small readers of GitHub JSON shared by the result models."""

from __future__ import annotations

from typing import Any

__all__ = ["login", "logins", "names", "opt_str", "text_cut"]


def login(user: Any) -> str | None:
    """The login of an embedded user object."""
    return str(user["login"]) if isinstance(user, dict) and user.get("login") else None


def logins(users: Any) -> list[str]:
    """The logins of a list of embedded users."""
    return [name for u in users or [] if (name := login(u))]


def names(labels: Any) -> list[str]:
    """The names of a list of labels."""
    return [str(label["name"]) for label in labels or [] if isinstance(label, dict)]


def opt_str(value: Any) -> str | None:
    """A string, or None for a missing or empty value."""
    return str(value) if value not in (None, "") else None


def text_cut(value: Any, limit: int) -> tuple[str | None, bool]:
    """Free text cut to `limit` characters, and whether it was cut."""
    text = opt_str(value)
    if text is None or len(text) <= limit:
        return text, False
    return text[:limit], True
