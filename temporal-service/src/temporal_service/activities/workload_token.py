"""The worker's tokens: the person's token exchanged (RFC 8693) for one per target server.

The worker never forwards the person's token and has no rights of its own on the servers: for
each call it authenticates at the IdP with its own client credentials (secret from the secret
store) and exchanges the token of the person the workflow serves (`current_delegation()`, the
token that started the workflow) for a token meant for that server only, naming the worker in
`act`. Each server then allows the call only when both the person and the worker may make it.
Exchanged tokens are cached per (person's token, server) until shortly before they expire;
they never outlive the person's token, which bounds the delegation (ADR 0006).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from mcp_common.auth import TokenExchanger
from mcp_common.errors import AuthenticationError

from .support import current_delegation

__all__ = ["DelegatedTokens", "SecretSource"]

SecretSource = Callable[[], Awaitable[str]]


class DelegatedTokens:
    """Tokens for the person the current activity serves, one per target server, cached."""

    def __init__(self, exchanger: TokenExchanger) -> None:
        self.exchanger = exchanger

    async def token(self, on_behalf_of: str, resource: str) -> str:
        """A live token of `on_behalf_of` for `resource` acting through the worker.

        AuthenticationError when the workflow carries no token of the person, or the IdP
        refuses it (expired: the delegation has ended); UpstreamError when the IdP is down.
        """
        if not on_behalf_of:
            raise ValueError("on_behalf_of is required: the worker always acts for a person")
        subject_token = current_delegation()
        if not subject_token:
            raise AuthenticationError(
                "the workflow carries no delegation from the person it serves"
            )
        return await self.exchanger.exchange(subject_token, resource)

    def invalidate(self, on_behalf_of: str, resource: str) -> None:
        """Forget the exchanged token for this server (the server refused it)."""
        subject_token = current_delegation()
        if subject_token:
            self.exchanger.invalidate(subject_token, resource)

    async def aclose(self) -> None:
        """Close the exchanger's HTTP client."""
        await self.exchanger.aclose()
