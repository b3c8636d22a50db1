"""The workflows MCP server: `build(settings)` assembles it, `main()` runs it."""

from __future__ import annotations

from temporalio.client import Client

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

from .settings import WorkflowSettings
from .temporal_client import TemporalConnection
from .tools import workflow_tools

__all__ = ["INSTRUCTIONS", "NAME", "RESOURCE", "build", "main"]

NAME = "workflows"
RESOURCE = "workflows"
INSTRUCTIONS = (
    "Change-managed template deployments (Temporal workflows). start_template_deployment "
    "returns a workflow id at once; the workflow validates the template and devices, opens a "
    "ServiceNow normal change, waits for the CAB (up to the approval deadline), deploys through "
    "Catalyst Center, verifies device health, and closes the change (or rolls back). Follow it "
    "with get_deployment_status; cancel_deployment works until deployment starts."
)


def build(
    settings: WorkflowSettings,
    *,
    verifier: TokenVerifier | None = None,
    authorizer: Authorizer | None = None,
    secrets: SecretStore | None = None,
    metrics: PlatformMetrics | None = None,
    temporal: Client | None = None,
) -> PlatformServer:
    """The server; components not given are built from the settings (Temporal on first use)."""
    metrics = metrics or PlatformMetrics(settings.service_name)
    connection = TemporalConnection(
        settings.temporal_address, settings.temporal_namespace, client=temporal
    )
    return create_server(
        settings,
        name=NAME,
        resource=RESOURCE,
        toolsets=[workflow_tools(connection, settings)],
        verifier=verifier,
        authorizer=authorizer,
        secrets=secrets or build_secret_store(settings, metrics),
        metrics=metrics,
        instructions=INSTRUCTIONS,
        closers=[connection],
    )


def main() -> None:
    """Read the settings, configure logging, serve until interrupted."""
    settings = load_settings(WorkflowSettings)
    configure_logging(settings.service_name, settings.log_level)
    run_server(build(settings))
