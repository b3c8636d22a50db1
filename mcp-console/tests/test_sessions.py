"""Server-side sessions: the cookie holds only an id; idle and absolute expiry; bounded."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from mcp_console.sessions import COOKIE, SessionMiddleware, SessionStore, rotate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_expires_when_idle_and_at_its_maximum_age() -> None:
    clock = Clock()
    store = SessionStore(idle_seconds=60, max_seconds=300, clock=clock)
    session = store.create({"a": 1})
    clock.now += 59
    assert store.get(session.id) is session
    clock.now += 61
    assert store.get(session.id) is None
    kept = store.create()
    for _ in range(6):
        clock.now += 55
        store.get(kept.id)
    assert store.get(kept.id) is None  # past max_seconds however active


def test_the_store_is_bounded_oldest_first() -> None:
    store = SessionStore(idle_seconds=60, max_seconds=300, max_sessions=2)
    first, second, third = store.create(), store.create(), store.create()
    assert store.get(first.id) is None and store.get(second.id) and store.get(third.id)
    assert len(store) == 2


def test_invalid_settings_fail_fast() -> None:
    with pytest.raises(ValueError):
        SessionStore(idle_seconds=0, max_seconds=1)


def _app(store: SessionStore, *, secure: bool = False) -> TestClient:
    async def write(request: Request) -> PlainTextResponse:
        request.session["n"] = request.session.get("n", 0) + 1
        return PlainTextResponse(str(request.session["n"]))

    async def read(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(request.session.get("n", "none")))

    async def renew(request: Request) -> PlainTextResponse:
        rotate(store, request.scope)
        return PlainTextResponse("rotated")

    async def end(request: Request) -> PlainTextResponse:
        request.scope["console.ended"] = True
        return PlainTextResponse("ended")

    app = Starlette(
        routes=[Route("/w", write), Route("/r", read), Route("/rotate", renew), Route("/end", end)]
    )
    return TestClient(SessionMiddleware(app, store, secure=secure))


def test_the_cookie_is_an_opaque_http_only_same_site_id_and_data_stays_server_side() -> None:
    store = SessionStore(idle_seconds=60, max_seconds=300)
    client = _app(store)
    assert client.get("/r").headers.get("set-cookie") is None  # nothing stored, no cookie
    answer = client.get("/w")
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    session_id = client.cookies[COOKIE]
    assert store.get(session_id) is not None and store.get(session_id).data == {"n": 1}
    assert client.get("/w").text == "2"


def test_secure_cookies_over_tls() -> None:
    client = _app(SessionStore(idle_seconds=60, max_seconds=300), secure=True)
    assert "Secure" in client.get("/w").headers["set-cookie"]


def test_rotation_gives_a_new_id_with_the_same_data_and_kills_the_old_one() -> None:
    store = SessionStore(idle_seconds=60, max_seconds=300)
    client = _app(store)
    client.get("/w")
    old = client.cookies[COOKIE]
    client.get("/rotate")
    new = client.cookies[COOKIE]
    assert new != old and store.get(old) is None
    assert client.get("/r").text == "1"


def test_ending_a_session_clears_the_cookie() -> None:
    client = _app(SessionStore(idle_seconds=60, max_seconds=300))
    client.get("/w")
    answer = client.get("/end")
    assert "Max-Age=0" in answer.headers["set-cookie"]
