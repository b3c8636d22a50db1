"""Settings of the RADKit MCP server (the platform's `MCP_` variables, plus a few)."""

from __future__ import annotations

from pydantic import Field

from mcp_common import CommonSettings

__all__ = ["RadkitSettings"]


class RadkitSettings(CommonSettings):
    """Common settings plus the RADKit backend's timeouts, request polling and output size."""

    service_name: str = "mcp-radkit"
    port: int = Field(8004, ge=0, le=65535)
    # Vault path of {mode, service_id, client_id, client_secret, base_url?, verify_tls?}.
    secret_path: str = "api/radkit"
    # One HTTP call to the RADKit relay (http mode).
    backend_timeout: float = Field(30.0, gt=0, le=300)
    backend_retries: int = Field(3, ge=0, le=10)
    # Exec requests are polled every interval; given up on `wait_margin` s after their timeout.
    poll_interval: float = Field(0.5, gt=0, le=30)
    wait_margin: float = Field(10.0, gt=0, le=600)
    # Upper bound on the text a tool returns (all command outputs of one call together).
    max_output_chars: int = Field(60_000, ge=1_000, le=1_000_000)
