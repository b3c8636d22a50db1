"""Settings of a server in front of one backend API: where its secret is, how to call it."""

from __future__ import annotations

from pydantic import Field

from mcp_common.http._retry import RetryPolicy
from mcp_common.settings import CommonSettings

__all__ = ["BackendSettings"]


class BackendSettings(CommonSettings):
    """Common settings plus the backend's: `MCP_SECRET_PATH` and `MCP_BACKEND_*`.

    Each server sets its own `secret_path` default and, where its backend differs, the
    defaults of the others.
    """

    # Where the backend's URL, TLS settings and credentials live in the SecretStore.
    secret_path: str = Field("", min_length=1)
    # Per attempt of one HTTP call; idempotent calls are retried, with jittered backoff.
    backend_timeout: float = Field(30.0, gt=0, le=300)
    backend_retries: int = Field(3, ge=0, le=10)
    backend_backoff: float = Field(0.2, ge=0, le=10)
    # Longest Retry-After (or rate-limit reset) waited out before a clear error instead.
    backend_max_retry_after: float = Field(30.0, ge=0, le=300)
    # Connections to the backend, and how many calls may wait for one; past that a call
    # fails at once (UpstreamError kind "unavailable") instead of queueing without bound.
    backend_max_connections: int = Field(100, ge=1, le=10_000)
    backend_max_waiting: int = Field(200, ge=0, le=100_000)

    def retry_policy(self) -> RetryPolicy:
        """How backend calls are retried: `MCP_BACKEND_RETRIES`, `_BACKOFF`, `_MAX_RETRY_AFTER`."""
        return RetryPolicy(
            retries=self.backend_retries,
            backoff=self.backend_backoff,
            max_retry_after=self.backend_max_retry_after,
        )
