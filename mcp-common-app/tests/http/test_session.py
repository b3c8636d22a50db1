"""SessionToken: log in when needed, once more per 401, one login for concurrent 401s."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from mcp_common import UpstreamError
from mcp_common.http import SessionToken


class Backend:
    """A backend whose valid token is the latest one it issued."""

    def __init__(self) -> None:
        self.logins = 0
        self.valid = ""

    async def login(self) -> str:
        self.logins += 1
        await asyncio.sleep(0)
        self.valid = f"t{self.logins}"
        return self.valid

    async def send(self, token: str) -> httpx.Response:
        return httpx.Response(200 if token == self.valid else 401, text=token)

    def expire(self) -> None:
        self.valid = "expired"


def _session() -> SessionToken:
    return SessionToken(backend="demo", rejected="Demo rejected a freshly issued token")


async def test_the_first_call_logs_in_and_later_calls_reuse_the_token() -> None:
    backend, session = Backend(), _session()
    for _ in range(3):
        assert (await session.send(backend.send, backend.login)).text == "t1"
    assert backend.logins == 1


async def test_a_401_logs_in_again_once_and_resends() -> None:
    backend, session = Backend(), _session()
    await session.send(backend.send, backend.login)
    backend.expire()
    assert (await session.send(backend.send, backend.login)).text == "t2"
    assert backend.logins == 2


async def test_concurrent_401s_cause_a_single_login() -> None:
    backend, session = Backend(), _session()
    await session.send(backend.send, backend.login)
    backend.expire()
    answers = await asyncio.gather(*(session.send(backend.send, backend.login) for _ in range(5)))
    assert {a.status_code for a in answers} == {200}
    assert backend.logins == 2


async def test_a_401_with_a_fresh_token_is_an_upstream_error() -> None:
    async def always_401(token: str) -> httpx.Response:
        return httpx.Response(401)

    backend, session = Backend(), _session()
    with pytest.raises(UpstreamError, match="Demo rejected a freshly issued token") as caught:
        await session.send(always_401, backend.login)
    assert (caught.value.status, caught.value.backend, backend.logins) == (401, "demo", 2)


async def test_forget_makes_the_next_call_log_in() -> None:
    backend, session = Backend(), _session()
    await session.send(backend.send, backend.login)
    session.forget()
    assert (await session.send(backend.send, backend.login)).text == "t2"
