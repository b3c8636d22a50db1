"""Settings of the GitHub MCP server: the common ones plus the backend's own."""

from __future__ import annotations

from pydantic import Field

from mcp_common.settings import CommonSettings

__all__ = ["GitHubSettings"]


class GitHubSettings(CommonSettings):
    """`MCP_` environment variables of `mcp-github`."""

    service_name: str = "mcp-github"
    port: int = Field(8003, ge=0, le=65535)
    # Where {base_url, token, verify_tls?} live in the SecretStore.
    secret_path: str = Field("api/github", min_length=1)
    github_timeout: float = Field(15.0, gt=0, le=120)
    github_retries: int = Field(3, ge=0, le=10)
    github_backoff: float = Field(0.2, ge=0, le=10)
    # Longest wait (Retry-After or rate-limit reset) honoured before a clear error instead.
    github_max_retry_after: float = Field(30.0, ge=0, le=300)
    # Text get_file_contents returns; longer files are cut (and say so).
    github_max_file_chars: int = Field(100_000, ge=1_000, le=1_000_000)
