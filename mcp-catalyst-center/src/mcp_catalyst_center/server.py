"""The Catalyst Center MCP server: `build(settings)` and the `main()` entry point."""

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
from mcp_common.components import build_secret_store
from mcp_common.metrics import PlatformMetrics
from mcp_common.server import PlatformServer

from .client import CatalystCenterClient
from .settings import CatalystCenterSettings
from .tools import all_toolsets

__all__ = ["NAME", "RESOURCE", "build", "main"]

NAME = "catalyst-center"
RESOURCE = "catalyst-center"

INSTRUCTIONS = (
    "Cisco Catalyst Center: network inventory (list_devices, get_device, interfaces, masked "
    "running-configs, sites), assurance (device/network health, issues), configuration "
    "templates (get_all_templates, get_template, preview_template, deploy_template) and "
    "read-only CLI commands (run_show_commands). Device ids are UUIDs from list_devices. "
    "Lists are paged: pass next_offset as offset for the next page."
)


def build(
    settings: CatalystCenterSettings,
    *,
    verifier: TokenVerifier | None = None,
    authorizer: Authorizer | None = None,
    secrets: SecretStore | None = None,
    metrics: PlatformMetrics | None = None,
) -> PlatformServer:
    """The server with its client; components not given are built from the settings."""
    metrics = metrics or PlatformMetrics(settings.service_name)
    secrets = secrets or build_secret_store(settings, metrics)
    client = CatalystCenterClient(
        secrets,
        secret_path=settings.secret_path,
        timeout=settings.backend_timeout,
        retries=settings.backend_retries,
        task_poll_interval=settings.task_poll_interval,
        task_timeout=settings.task_timeout,
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
    settings = load_settings(CatalystCenterSettings)
    configure_logging(settings.service_name, settings.log_level)
    run_server(build(settings))
