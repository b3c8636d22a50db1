"""The server's Temporal client, connected on first use so the server starts before Temporal."""

from __future__ import annotations

import asyncio

from temporalio.client import Client

from .errors import TemporalUnavailable

__all__ = ["TemporalConnection"]


class TemporalConnection:
    """One shared Temporal client for the server's tools (or a given one, in tests)."""

    def __init__(self, address: str, namespace: str = "default", *, client: Client | None = None):
        if not address and client is None:
            raise ValueError("a Temporal address (host:port) or a client is required")
        self.address = address
        self.namespace = namespace
        self._client = client
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        """The connected client; TemporalUnavailable when Temporal cannot be reached."""
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await Client.connect(self.address, namespace=self.namespace)
                except RuntimeError:
                    raise TemporalUnavailable(f"cannot connect to {self.address}") from None
        return self._client

    async def aclose(self) -> None:
        """Nothing to release: the SDK's connection closes with the process."""
