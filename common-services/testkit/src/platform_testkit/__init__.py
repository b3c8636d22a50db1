"""Test tooling shared by every package: the full-chain stack, its fixtures, tool snapshots.

- `stack.py`: a simulator and an MCP server built in front of it, on 127.0.0.1, with
  FastMCP clients for demo identities (`start_server_stack`, `ServerStack`).
- `plugin.py`: the pytest plugin (fixtures `idp`, `openbao`, `policy_path`, `serve`,
  `launched_platform`), registered through the `pytest11` entry point.
- `snapshot.py`: tool-interface snapshots (`UPDATE_SNAPSHOTS=1` rewrites them).
- `oauth.py` (imported on its own: it loads fastmcp): `HeadlessOAuth`, FastMCP's OAuth
  client signing a demo identity in without a browser.
"""

from __future__ import annotations

from .snapshot import check_snapshot, published_tools, tool_interface
from .stack import (
    SandboxControls,
    ServerStack,
    StrictStack,
    capture_logs,
    error_text,
    resource_token,
    start_server_stack,
)

__all__ = [
    "SandboxControls",
    "ServerStack",
    "StrictStack",
    "capture_logs",
    "check_snapshot",
    "error_text",
    "published_tools",
    "resource_token",
    "start_server_stack",
    "tool_interface",
]
