"""Settings of the GitHub MCP server: the platform's backend settings, GitHub's defaults."""

from __future__ import annotations

from pydantic import Field

from mcp_common.http import BackendSettings

__all__ = ["GitHubSettings"]


class GitHubSettings(BackendSettings):
    """`MCP_` environment variables of `mcp-github`."""

    service_name: str = "mcp-github"
    port: int = Field(8003, ge=0, le=65535)
    # Where {base_url, token, verify_tls?} live in the SecretStore.
    secret_path: str = Field("api/github", min_length=1)
    backend_timeout: float = Field(15.0, gt=0, le=300)
    # Text get_file_contents returns; longer files are cut (and say so).
    max_output_chars: int = Field(100_000, ge=1_000, le=1_000_000)
