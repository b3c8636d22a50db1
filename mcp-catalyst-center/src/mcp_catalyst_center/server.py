"""The Catalyst Center MCP server, declared: `SERVER`, with `build(settings)` and `main()`."""

from __future__ import annotations

from mcp_common.server import ServerSpec

from .change_gate import change_gate
from .client import CatalystCenterClient
from .settings import CatalystCenterSettings
from .tools import all_toolsets

__all__ = ["INSTRUCTIONS", "SERVER", "TASK_TOOLS", "build", "main"]

# Run as MCP tasks (in this process, state in Redis) for clients that declare the extension.
TASK_TOOLS = frozenset({"deploy_template", "run_show_commands"})

INSTRUCTIONS = (
    "Cisco Catalyst Center: network inventory (list_devices, get_device, interfaces, masked "
    "running-configs, sites), assurance (device/network health, issues), configuration "
    "templates (get_all_templates, get_template, preview_template, deploy_template) and "
    "read-only CLI commands (run_show_commands). Device ids are UUIDs from list_devices. "
    "Lists are paged: pass next_offset as offset for the next page. deploy_template and "
    "run_show_commands can run as MCP tasks (io.modelcontextprotocol/tasks)."
)


SERVER = ServerSpec(
    name="catalyst-center",
    settings=CatalystCenterSettings,
    instructions=INSTRUCTIONS,
    client=CatalystCenterClient.from_settings,
    toolsets=lambda client, s: all_toolsets(client, max_output_chars=s.max_output_chars),
    task_tools=TASK_TOOLS,
    # A deploy by the Temporal worker is decided on its change as ServiceNow has it.
    policy_facts=change_gate,
)
build = SERVER.build
main = SERVER.main
