"""The RADKit MCP server, declared: `SERVER`, with `build(settings)` and `main()`."""

from __future__ import annotations

from mcp_common.observability import PlatformMetrics
from mcp_common.secrets import SecretStore
from mcp_common.server import ServerSpec

from .client import RadkitClient
from .settings import RadkitSettings
from .tools import all_toolsets

__all__ = ["INSTRUCTIONS", "NAME", "RESOURCE", "SERVER", "build", "main"]

NAME = "radkit"
RESOURCE = "radkit"

INSTRUCTIONS = (
    "Cisco RADKit: remote, audited access to network devices through a RADKit Service. "
    "Inventory (list_devices, get_device) is read-only; exec_commands runs allow-listed "
    "read-only CLI commands (show, ping, traceroute) and returns masked outputs; "
    "check_reachability probes devices; collect_diagnostics runs a fixed bundle of show "
    "commands and summarizes each device's health. Devices are named as list_devices shows."
)


def _client(
    settings: RadkitSettings, secrets: SecretStore, metrics: PlatformMetrics
) -> RadkitClient:
    return RadkitClient.from_settings(
        settings,
        secrets,
        metrics,
        poll_interval=settings.poll_interval,
        wait_margin=settings.wait_margin,
    )


SERVER = ServerSpec(
    name=NAME,
    resource=RESOURCE,
    settings=RadkitSettings,
    instructions=INSTRUCTIONS,
    client=_client,
    toolsets=lambda client, s: all_toolsets(client, max_output_chars=s.max_output_chars),
)
build = SERVER.build
main = SERVER.main
