"""The workflows MCP server, declared: `SERVER`, with `build(settings)` and `main()`."""

from __future__ import annotations

from typing import Any, Unpack

from temporalio.client import Client

from mcp_common.secrets import SecretStore
from mcp_common.server import Components, PlatformServer, ServerSpec

from .codec import payload_key
from .settings import WorkflowSettings
from .tasks import task_extensions
from .temporal_client import TemporalConnection
from .tools import workflow_tools

__all__ = ["INSTRUCTIONS", "SERVER", "build", "main"]

INSTRUCTIONS = (
    "Change-managed template deployments (Temporal workflows). start_template_deployment "
    "returns a workflow id at once; the workflow validates the template and devices, opens a "
    "ServiceNow normal change, waits for the CAB (up to the approval deadline), deploys through "
    "Catalyst Center, verifies device health, and closes the change (or rolls back). Follow it "
    "with get_deployment_status; cancel_deployment works until deployment starts."
)


def _connection(
    settings: WorkflowSettings,
    secrets: SecretStore | None = None,
    *_: Any,
    client: Client | None = None,
) -> TemporalConnection:
    """Temporal, connected on first use (or the given client), payloads encrypted (ADR 0006)."""

    async def key() -> bytes | None:
        return await payload_key(settings, secrets)

    return TemporalConnection(
        settings.temporal_address, settings.temporal_namespace, client=client, payload_key=key
    )


SERVER = ServerSpec(
    name="workflows",
    settings=WorkflowSettings,
    instructions=INSTRUCTIONS,
    client=_connection,
    toolsets=lambda connection, s: [workflow_tools(connection, s)],
    extensions=task_extensions,  # start_template_deployment as an MCP task (SEP-2663)
)
main = SERVER.main


def build(
    settings: WorkflowSettings, *, temporal: Client | None = None, **given: Unpack[Components]
) -> PlatformServer:
    """The server; components not given are built from the settings (Temporal on first use)."""
    connection = _connection(settings, given.get("secrets"), client=temporal)
    return SERVER.build(settings, client=connection, **given)
