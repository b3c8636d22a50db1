"""Settings of the RADKit MCP server (the platform's `MCP_` variables, plus a few)."""

from __future__ import annotations

from pydantic import Field

from mcp_common.http import BackendSettings
from mcp_common.settings import OutputChars, Port, SecretPath

__all__ = ["RadkitSettings"]


class RadkitSettings(BackendSettings):
    """Backend settings (one HTTP call to the relay, in http mode) plus request polling."""

    service_name: str = "mcp-radkit"
    port: Port = 8004
    # Vault path of {mode, service_id, client_id, client_secret, base_url?, verify_tls?}.
    secret_path: SecretPath = "api/radkit"
    # Exec requests are polled every interval; given up on `wait_margin` s after their timeout.
    poll_interval: float = Field(0.5, gt=0, le=30)
    wait_margin: float = Field(10.0, gt=0, le=600)
    # Upper bound on the text a tool returns (all command outputs of one call together).
    max_output_chars: OutputChars = 60_000
