"""The RADKit toolsets, one module each."""

from __future__ import annotations

from mcp_common import Toolset

from ..client import RadkitClient
from .commands import command_tools
from .diagnostics import diagnostics_tools
from .inventory import inventory_tools

__all__ = ["all_toolsets", "command_tools", "diagnostics_tools", "inventory_tools"]


def all_toolsets(client: RadkitClient, *, max_output_chars: int = 60_000) -> list[Toolset]:
    """Every toolset of the server, sharing one client."""
    return [
        inventory_tools(client),
        command_tools(client, max_output_chars=max_output_chars),
        diagnostics_tools(client, max_output_chars=max_output_chars),
    ]
