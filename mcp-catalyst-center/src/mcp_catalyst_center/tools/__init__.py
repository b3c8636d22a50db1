"""The Catalyst Center toolsets, one module each."""

from __future__ import annotations

from mcp_common import Toolset

from ..client import CatalystCenterClient
from .assurance import assurance_tools
from .commands import command_tools
from .inventory import inventory_tools
from .tasks import task_tools
from .templates import template_tools

__all__ = [
    "all_toolsets",
    "assurance_tools",
    "command_tools",
    "inventory_tools",
    "task_tools",
    "template_tools",
]


def all_toolsets(client: CatalystCenterClient, *, max_output_chars: int = 60_000) -> list[Toolset]:
    """Every toolset of the server, sharing one client."""
    return [
        inventory_tools(client, max_output_chars=max_output_chars),
        assurance_tools(client),
        template_tools(client),
        command_tools(client, max_output_chars=max_output_chars),
        task_tools(client),
    ]
