"""Server-side sessions: the cookie holds only a random id; everything else stays here.

`SessionMiddleware` puts the session's data (a dict) in `scope["session"]`, so Starlette's
`request.session` and authlib's Starlette client (which keeps the OAuth state and the PKCE
verifier there) work unchanged. The cookie is HttpOnly, SameSite=Lax (the issuer's redirect
back is a top-level navigation) and Secure when the console is served over TLS. Sessions
end after an idle time and a maximum age; the store is bounded (oldest evicted first).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["COOKIE", "Session", "SessionMiddleware", "SessionStore", "rotate"]

COOKIE = "console_session"


@dataclass(slots=True)
class Session:
    """One browser's session."""

    id: str
    data: dict[str, Any]
    created: float
    seen: float
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))


class SessionStore:
    """Sessions by id, in memory, bounded, with idle and absolute expiry."""

    def __init__(
        self,
        *,
        idle_seconds: float,
        max_seconds: float,
        max_sessions: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if idle_seconds <= 0 or max_seconds <= 0 or max_sessions < 1:
            raise ValueError("idle_seconds, max_seconds and max_sessions must be positive")
        self.idle, self.max_age, self.capacity = idle_seconds, max_seconds, max_sessions
        self._clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sessions)

    def create(self, data: dict[str, Any] | None = None) -> Session:
        """A new session with a fresh unguessable id."""
        now = self._clock()
        session = Session(secrets.token_urlsafe(32), dict(data or {}), now, now)
        with self._lock:
            self._sessions[session.id] = session
            while len(self._sessions) > self.capacity:
                self._sessions.popitem(last=False)
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id (touching it), or None when unknown or expired."""
        if not session_id:
            return None
        now = self._clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if now - session.seen > self.idle or now - session.created > self.max_age:
                del self._sessions[session_id]
                return None
            session.seen = now
            self._sessions.move_to_end(session_id)
            return session

    def delete(self, session_id: str) -> None:
        """End a session (logout)."""
        with self._lock:
            self._sessions.pop(session_id, None)


def rotate(store: SessionStore, scope: Scope) -> Session:
    """Give the current browser a new session id carrying the same data (after sign-in:
    no session fixation). The old id stops working."""
    old: Session | None = scope.get("console.session")
    data = dict(old.data) if old is not None else {}
    if old is not None:
        store.delete(old.id)
    new = store.create(data)
    scope["console.session"] = new
    scope["session"] = new.data
    return new


class SessionMiddleware:
    """Loads the session named by the cookie; creates one lazily when data is written."""

    def __init__(self, app: ASGIApp, store: SessionStore, *, secure: bool) -> None:
        self.app, self.store, self.secure = app, store, secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        cookie = HTTPConnection(scope).cookies.get(COOKIE)
        session = self.store.get(cookie)
        scope["console.session"] = session
        scope["console.had_cookie"] = bool(cookie)
        scope["session"] = session.data if session is not None else {}
        initial_id = session.id if session is not None else None

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                current: Session | None = scope.get("console.session")
                if current is None and scope["session"]:
                    # Data written to a browser without a session: create it now.
                    current = self.store.create(scope["session"])
                    scope["console.session"] = current
                if scope.get("console.ended"):
                    headers.append("Set-Cookie", self._cookie("", max_age=0))
                elif current is not None and current.id != initial_id:
                    headers.append("Set-Cookie", self._cookie(current.id))
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _cookie(self, value: str, *, max_age: int | None = None) -> str:
        parts = [f"{COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)
