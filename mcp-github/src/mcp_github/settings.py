"""Settings of the GitHub MCP server: the platform's backend settings, GitHub's defaults."""

from __future__ import annotations

from pydantic import Field

from mcp_common.http import BackendSettings
from mcp_common.settings import OutputChars, Port, SecretPath

__all__ = ["GitHubSettings"]


class GitHubSettings(BackendSettings):
    """`MCP_` environment variables of `mcp-github`."""

    service_name: str = "mcp-github"
    port: Port = 8003
    # Where {base_url, token, verify_tls?} live in the SecretStore.
    secret_path: SecretPath = "api/github"
    backend_timeout: float = Field(15.0, gt=0, le=300)
    # Text get_file_contents returns; longer files are cut (and say so).
    max_output_chars: OutputChars = 100_000
