"""The RADKit MCP server: `build(settings)` and the `main()` entry point."""

from __future__ import annotations

from mcp_common import (
    Authorizer,
    SecretStore,
    TokenVerifier,
    configure_logging,
    create_server,
    load_settings,
    run_server,
)
from mcp_common.components import (
    build_secret_store,
)
from mcp_common.metrics import PlatformMetrics
from mcp_common.server import PlatformServer

from .client import RadkitClient
from .settings import RadkitSettings
from .tools import all_toolsets

__all__ = ["NAME", "RESOURCE", "build", "main"]

NAME = "radkit"
RESOURCE = "radkit"

INSTRUCTIONS = (
    "Cisco RADKit: remote, audited access to network devices through a RADKit Service. "
    "Inventory (list_devices, get_device) is read-only; exec_commands runs allow-listed "
    "read-only CLI commands (show, ping, traceroute) and returns masked outputs; "
    "check_reachability probes devices; collect_diagnostics runs a fixed bundle of show "
    "commands and summarizes each device's health. Devices are named as list_devices shows."
)


def build(
    settings: RadkitSettings,
    *,
    verifier: TokenVerifier | None = None,
    authorizer: Authorizer | None = None,
    secrets: SecretStore | None = None,
    metrics: PlatformMetrics | None = None,
) -> PlatformServer:
    """The server with its client; components not given are built from the settings."""
    metrics = metrics or PlatformMetrics(settings.service_name)
    secrets = secrets or build_secret_store(settings, metrics)
    client = RadkitClient(
        secrets,
        secret_path=settings.secret_path,
        timeout=settings.backend_timeout,
        retries=settings.backend_retries,
        poll_interval=settings.poll_interval,
        wait_margin=settings.wait_margin,
        metrics=metrics,
    )
    return create_server(
        settings,
        name=NAME,
        resource=RESOURCE,
        toolsets=all_toolsets(client, max_output_chars=settings.max_output_chars),
        verifier=verifier,
        authorizer=authorizer,
        secrets=secrets,
        metrics=metrics,
        instructions=INSTRUCTIONS,
        closers=[client],
    )


def main() -> None:
    """Read the settings, configure logging, serve until interrupted."""
    settings = load_settings(RadkitSettings)
    configure_logging(settings.service_name, settings.log_level)
    run_server(build(settings))
