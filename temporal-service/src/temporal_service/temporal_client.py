"""The server's Temporal client, connected on first use so the server starts before Temporal."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from temporalio.client import Client

from .codec import encrypted
from .errors import TemporalUnavailable

__all__ = ["TemporalConnection"]


class TemporalConnection:
    """One shared Temporal client for the server's tools (or a given one, in tests)."""

    def __init__(
        self,
        address: str,
        namespace: str = "default",
        *,
        client: Client | None = None,
        payload_key: Callable[[], Awaitable[bytes | None]] | None = None,
    ):
        if not address and client is None:
            raise ValueError("a Temporal address (host:port) or a client is required")
        self.address = address
        self.namespace = namespace
        self._given = client
        self._client: Client | None = None
        self._payload_key = payload_key
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        """The connected client; TemporalUnavailable when Temporal cannot be reached."""
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                client = self._given
                if client is None:
                    try:
                        client = await Client.connect(self.address, namespace=self.namespace)
                    except RuntimeError:
                        raise TemporalUnavailable(f"cannot connect to {self.address}") from None
                # Payloads carry the requester's token: encrypted when a key is configured.
                key = await self._payload_key() if self._payload_key is not None else None
                self._client = encrypted(client, key)
        return self._client

    async def aclose(self) -> None:
        """Nothing to release: the SDK's connection closes with the process."""
