"""Settings of the Catalyst Center MCP server (the platform's `MCP_` variables, plus a few)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AnyHttpUrl, BeforeValidator, Field

from mcp_common.http import BackendSettings
from mcp_common.settings import OutputChars, Port, SecretPath

__all__ = ["CatalystCenterSettings"]


def _blank_is_none(value: Any) -> Any:
    # Compose passes an unset variable as "": no ServiceNow, so the gate stays closed.
    return None if isinstance(value, str) and not value.strip() else value


class CatalystCenterSettings(BackendSettings):
    """Backend settings plus Catalyst Center's task polling and output size, and the change
    gate's ServiceNow."""

    service_name: str = "mcp-catalyst-center"
    port: Port = 8002
    # Vault path of {base_url, username, password, verify_tls, ca_bundle?}.
    secret_path: SecretPath = "api/catalyst-center"
    # Asynchronous operations (tasks, deployments): poll every interval until the deadline.
    task_poll_interval: float = Field(1.0, gt=0, le=60)
    task_timeout: float = Field(120.0, gt=0, le=3600)
    # Upper bound on the text a tool returns (running-configs, command outputs).
    max_output_chars: OutputChars = 60_000
    # The change gate (change_gate.py): a deploy by the Temporal worker is decided on the
    # change as ServiceNow has it, read with this server's own read-only account. Without
    # the URL every such deploy is refused (fail closed).
    servicenow_instance_url: Annotated[AnyHttpUrl | None, BeforeValidator(_blank_is_none)] = None
    # Vault path (this server's own) of that account: {username, password, verify_tls?}.
    servicenow_secret_path: SecretPath = "api/catalyst-center/servicenow"
    servicenow_timeout: float = Field(10.0, gt=0, le=60)
