"""Test tooling shared by every package: the full-chain stack, its fixtures, tool snapshots.

- `stack.py`: a simulator and an MCP server built in front of it, on 127.0.0.1, with
  FastMCP clients for demo identities (`start_server_stack`, `ServerStack`).
- `plugin.py`: the pytest plugin (fixtures `idp`, `openbao`, `policy_path`, `serve`,
  `launched_platform`), registered through the `pytest11` entry point.
- `snapshot.py`: tool-interface snapshots (`UPDATE_SNAPSHOTS=1` rewrites them).
- `server_checks.py`: what every MCP server's end-to-end tests check (startup without
  configuration, refusals before the backend, logs free of secrets).
- `oauth.py` (imported on its own: it loads fastmcp): `HeadlessOAuth`, FastMCP's OAuth
  client signing a demo identity in without a browser.
- `kubernetes.py` (imported on its own): `KubernetesCluster`, a TokenReview API stand-in
  for Vault's kubernetes auth, and `enable_kubernetes_auth`.
- `policy_cases.py`: the policy's hand-written decision table and `policy_request`.
- `static_server.py`: `static_server`, a real platform server with static verifier and policy.
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
