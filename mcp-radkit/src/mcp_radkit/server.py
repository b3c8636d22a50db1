"""The RADKit MCP server, declared: `SERVER`, with `build(settings)` and `main()`."""

from __future__ import annotations

from mcp_common.server import ServerSpec

from .client import RadkitClient
from .settings import RadkitSettings
from .tools import all_toolsets

__all__ = ["INSTRUCTIONS", "SERVER", "TASK_TOOLS", "build", "main"]

# Run as MCP tasks (in this process, state in Redis) for clients that declare the extension.
TASK_TOOLS = frozenset({"collect_diagnostics"})

INSTRUCTIONS = (
    "Cisco RADKit: remote, audited access to network devices through a RADKit Service. "
    "Inventory (list_devices, get_device) is read-only; exec_commands runs allow-listed "
    "read-only CLI commands (show, ping, traceroute) and returns masked outputs; "
    "check_reachability probes devices; collect_diagnostics runs a fixed bundle of show "
    "commands and summarizes each device's health (it can run as an MCP task, "
    "io.modelcontextprotocol/tasks). Devices are named as list_devices shows."
)


SERVER = ServerSpec(
    name="radkit",
    settings=RadkitSettings,
    instructions=INSTRUCTIONS,
    client=RadkitClient.from_settings,
    toolsets=lambda client, s: all_toolsets(client, max_output_chars=s.max_output_chars),
    task_tools=TASK_TOOLS,
)
build = SERVER.build
main = SERVER.main
