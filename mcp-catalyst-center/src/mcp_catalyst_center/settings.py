"""Settings of the Catalyst Center MCP server (the platform's `MCP_` variables, plus a few)."""

from __future__ import annotations

from pydantic import Field

from mcp_common.http import BackendSettings

__all__ = ["CatalystCenterSettings"]


class CatalystCenterSettings(BackendSettings):
    """Backend settings plus Catalyst Center's task polling and output size."""

    service_name: str = "mcp-catalyst-center"
    port: int = Field(8002, ge=0, le=65535)
    # Vault path of {base_url, username, password, verify_tls, ca_bundle?}.
    secret_path: str = Field("api/catalyst-center", min_length=1)
    # Asynchronous operations (tasks, deployments): poll every interval until the deadline.
    task_poll_interval: float = Field(1.0, gt=0, le=60)
    task_timeout: float = Field(120.0, gt=0, le=3600)
    # Upper bound on the text a tool returns (running-configs, command outputs).
    max_output_chars: int = Field(60_000, ge=1_000, le=1_000_000)
