"""FastMCP's own OAuth client, headless: an MCP client signing a person in as a browser would.

The client discovers everything itself (RFC 9728 resource metadata -> RFC 8414 issuer
metadata), registers (RFC 7591), sends the person through /authorize with PKCE (S256) and the
server's `resource` (RFC 8707), and redeems the code. The only change from FastMCP's `OAuth`:
instead of opening a browser and waiting on a local callback server, the redirect goes to
`dev_idp.headless.sign_in`, which fills in the development issuer's login form (and the
one-time code for an MFA identity) and hands back the callback URL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fastmcp.client.auth import OAuth
from key_value.aio.stores.memory import MemoryStore
from mcp.shared.auth import AuthorizationCodeResult

from dev_idp.headless import SignInError, query_of, sign_in

__all__ = ["HeadlessOAuth"]


class HeadlessOAuth(OAuth):
    """FastMCP's OAuth client with the browser replaced by the headless sign-in of `identity`.

    `otp` gives a fresh one-time code when the issuer asks for one (MFA identities); without
    it such a sign-in fails. `authorization_urls` records every authorization request sent.
    """

    def __init__(
        self,
        identity: str,
        password: str,
        *,
        otp: Callable[[], str] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(token_storage=MemoryStore(), **options)
        self.identity, self._password, self._otp = identity, password, otp
        self.callback_url = ""
        self.authorization_urls: list[str] = []

    async def redirect_handler(self, authorization_url: str) -> None:
        """Sign in through the issuer's pages (in a thread: the pages are fetched blocking)."""
        self.authorization_urls.append(authorization_url)
        self.callback_url = await asyncio.to_thread(
            sign_in, authorization_url, self.identity, self._password, otp=self._otp
        )

    async def callback_handler(self) -> AuthorizationCodeResult:
        """The code (and state) the issuer redirected the browser back with."""
        query = query_of(self.callback_url)
        if "code" not in query:
            raise SignInError(f"authorization failed: {query.get('error', 'no code')}")
        return AuthorizationCodeResult(
            code=query["code"], state=query.get("state"), iss=query.get("iss")
        )

    async def access_token(self) -> str | None:
        """The access token the client holds now (None before sign-in)."""
        tokens = await self.token_storage_adapter.get_tokens()
        return tokens.access_token if tokens is not None else None
