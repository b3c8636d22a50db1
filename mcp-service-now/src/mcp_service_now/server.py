"""The ServiceNow MCP server: `build(settings)` assembles it, `main()` runs it."""

from __future__ import annotations

from mcp_common.authorizer import Authorizer
from mcp_common.components import build_secret_store
from mcp_common.logging import configure_logging
from mcp_common.metrics import PlatformMetrics
from mcp_common.oidc import TokenVerifier
from mcp_common.secrets import SecretStore
from mcp_common.server import PlatformServer, create_server, run_server
from mcp_common.settings import load_settings

from .client import ServiceNowClient
from .settings import ServiceNowSettings
from .tools import change_tools, cmdb_tools, incident_tools

__all__ = ["INSTRUCTIONS", "NAME", "RESOURCE", "build", "main"]

NAME = "servicenow"
RESOURCE = "servicenow"
INSTRUCTIONS = """\
ServiceNow for the service desk: incidents, normal change requests and the CMDB.
- Numbers (INC0010001, CHG0030001) are accepted wherever a sys_id is.
- Searches return short summaries; pass details=true, or use get_incident / get_change.
- A normal change moves New -> Assess -> Authorize -> Scheduled -> Implement -> Review ->
  Closed (close_code and close_notes). Authorize asks the CAB; only the CAB's approval moves
  it to Scheduled.
- No tool approves or rejects a change: approval stays with people, in ServiceNow.
  get_change_approvals shows where it stands.
- Give create_change a correlation_id (e.g. a workflow id) so a retry returns the existing
  change instead of creating a second one; search_changes(correlation_id=...) finds it.
"""


def build(
    settings: ServiceNowSettings,
    *,
    verifier: TokenVerifier | None = None,
    authorizer: Authorizer | None = None,
    secrets: SecretStore | None = None,
    metrics: PlatformMetrics | None = None,
) -> PlatformServer:
    """The server with its components (built from settings when not given)."""
    metrics = metrics or PlatformMetrics(settings.service_name)
    secrets = secrets or build_secret_store(settings, metrics)
    client = ServiceNowClient(
        secrets,
        secret_path=settings.secret_path,
        timeout=settings.servicenow_timeout,
        retries=settings.servicenow_retries,
        backoff=settings.servicenow_backoff,
        max_retry_after=settings.servicenow_max_retry_after,
        metrics=metrics,
    )
    return create_server(
        settings,
        name=NAME,
        resource=RESOURCE,
        toolsets=[incident_tools(client), change_tools(client), cmdb_tools(client)],
        verifier=verifier,
        authorizer=authorizer,
        secrets=secrets,
        metrics=metrics,
        instructions=INSTRUCTIONS,
        closers=[client],
    )


def main() -> None:
    """Read settings from the environment, then serve until interrupted."""
    settings = load_settings(ServiceNowSettings)
    configure_logging(settings.service_name, settings.log_level)
    run_server(build(settings))
