"""Opaque session tokens that live `ttl` seconds, as backends hand out after a login."""

from __future__ import annotations

import secrets
import threading
import time

__all__ = ["SessionTokens"]


class SessionTokens:
    """Issues random tokens, tells live ones from expired ones, and expires them all on demand."""

    def __init__(self, ttl: float, *, nbytes: int = 32) -> None:
        if ttl <= 0:
            raise ValueError(f"token_ttl must be positive, got {ttl}")
        if nbytes < 16:
            raise ValueError(f"nbytes must be at least 16, got {nbytes}")
        self.ttl = ttl
        self._nbytes = nbytes
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}

    def issue(self) -> str:
        """A new opaque token, valid for `ttl` seconds."""
        token = secrets.token_urlsafe(self._nbytes)
        with self._lock:
            self._expiry[token] = time.monotonic() + self.ttl
        return token

    def valid(self, token: str | None) -> bool:
        """True for a known, unexpired token (an expired one is forgotten)."""
        if not token:
            return False
        with self._lock:
            expiry = self._expiry.get(token)
            if expiry is not None and expiry <= time.monotonic():
                del self._expiry[token]
                expiry = None
        return expiry is not None

    def expire_all(self) -> int:
        """Invalidate every token now; how many there were."""
        with self._lock:
            count = len(self._expiry)
            self._expiry.clear()
            return count

    def active(self) -> int:
        """How many tokens were issued and not (yet) known to be expired."""
        with self._lock:
            return len(self._expiry)
