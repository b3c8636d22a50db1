"""The SecretStore contract; implementations live in `vault_store` and `file_store`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

__all__ = ["SecretStore"]


@runtime_checkable
class SecretStore(Protocol):
    """Reads secrets by logical path (e.g. `api/catalyst-center`).

    `get` returns the secret's key/value mapping or raises `SecretNotFound` /
    `SecretStoreUnavailable`; values are never logged by any implementation.
    """

    async def get(self, path: str) -> Mapping[str, Any]:
        """Return the secret at `path`."""
        ...

    async def ready(self) -> bool:
        """True when the store can currently serve secrets (for /readyz)."""
        ...

    async def aclose(self) -> None:
        """Release connections and background tasks."""
        ...
