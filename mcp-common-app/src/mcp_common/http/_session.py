"""A backend session token shared by concurrent calls: one login at a time, one more per 401.

Backends that answer a login with a session token (Catalyst Center's `X-Auth-Token`, a
RADKit relay's bearer token) expire it on their own schedule. `SessionToken.send` sends with
the current token (logging in first when there is none); on a 401 it logs in again once and
resends. A generation number, bumped at every login, makes concurrent 401s cause a single
login: a caller that saw generation g logs in again only if nobody has done so since.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

from mcp_common.errors import UpstreamError

__all__ = ["SessionToken"]

Login = Callable[[], Awaitable[str]]


class SessionToken:
    """The session token of one backend endpoint; `rejected` names it in the 401 error."""

    def __init__(self, *, backend: str, rejected: str) -> None:
        self.backend = backend
        self.rejected = rejected
        self._token: str | None = None
        self._generation = 0
        self._lock = asyncio.Lock()

    def forget(self) -> None:
        """Drop the token (the endpoint changed, or the session ended): the next call logs in."""
        self._token = None

    async def send(
        self, send: Callable[[str], Awaitable[httpx.Response]], login: Login
    ) -> httpx.Response:
        """`send(token)` with the current token; on 401 `login()` again once and resend.

        A second 401 with a freshly issued token is an UpstreamError (kind "http").
        """
        token, generation = self._token, self._generation
        if token is None:
            token, generation = await self._login_after(generation, login)
        response = await send(token)
        if response.status_code == 401:
            token, _ = await self._login_after(generation, login)
            response = await send(token)
            if response.status_code == 401:
                raise UpstreamError(
                    f"{self.rejected} (HTTP 401)", backend=self.backend, status=401, kind="http"
                )
        return response

    async def _login_after(self, seen: int, login: Login) -> tuple[str, int]:
        """Log in unless another caller already did since generation `seen`."""
        async with self._lock:
            if self._token is not None and self._generation != seen:
                return self._token, self._generation
            self._token = await login()
            self._generation += 1
            return self._token, self._generation
