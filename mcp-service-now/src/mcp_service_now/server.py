"""The ServiceNow MCP server, declared: `SERVER`, with `build(settings)` and `main()`."""

from __future__ import annotations

from mcp_common.server import ServerSpec

from .client import ServiceNowClient
from .settings import ServiceNowSettings
from .tools import change_tools, cmdb_tools, incident_tools

__all__ = ["INSTRUCTIONS", "SERVER", "build", "main"]

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


SERVER = ServerSpec(
    name="servicenow",
    settings=ServiceNowSettings,
    instructions=INSTRUCTIONS,
    client=ServiceNowClient.from_settings,
    toolsets=lambda client, _: [incident_tools(client), change_tools(client), cmdb_tools(client)],
)
build = SERVER.build
main = SERVER.main
