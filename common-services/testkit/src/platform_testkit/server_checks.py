"""What every MCP server's end-to-end tests check of it, written once.

- `assert_refuses_to_start_unconfigured`: `python -m <server>` without its `MCP_*`
  configuration stops with a clear message, not a traceback.
- `assert_fails_before_the_backend`: a call that the policy or the server refuses never
  reaches the simulator (a `StrictStack` in front of it).
- `assert_logs_carry_no_device_secret`: what a network server logged holds no secret of
  the simulated network's devices, nor the backend credential, nor a token.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from simulator_kit.network import DEVICES
from simulator_kit.network.configs import running_config
from simulator_kit.network.secretgen import config_secrets

from .stack import StrictStack

__all__ = [
    "assert_fails_before_the_backend",
    "assert_logs_carry_no_device_secret",
    "assert_refuses_to_start_unconfigured",
]


def assert_refuses_to_start_unconfigured(module: str) -> None:
    """`python -m <module>` with no `MCP_*` variable exits 2 naming `MCP_OIDC_ISSUER`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCP_")}
    done = subprocess.run(
        [sys.executable, "-m", module],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "configuration error: MCP_OIDC_ISSUER" in done.stderr
    assert "Traceback" not in done.stderr


async def assert_fails_before_the_backend(
    stack: StrictStack,
    identity: str,
    tool: str,
    args: Mapping[str, Any],
    match: str,
    counters: Iterable[str] = ("total_requests",),
) -> None:
    """The call raises a `ToolError` matching `match`; none of the simulator's `counters`
    (keys of its `/sandbox/stats`) moved."""
    from fastmcp.exceptions import ToolError

    before = stack.sim.stats()
    with pytest.raises(ToolError, match=match):
        await stack.call(identity, tool, args)
    after = stack.sim.stats()
    for counter in counters:
        assert after[counter] == before[counter], counter


def assert_logs_carry_no_device_secret(text: str, credential: str) -> None:
    """`text` (every line a network server logged at DEBUG, tool calls and an upstream login
    among them) holds no device secret, not `credential`, and no JWT."""
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert any(r.get("message") == "MCP tool executed" for r in records)
    assert any(r.get("event.action") == "upstream.login" for r in records)
    secrets = set().union(*(config_secrets(running_config(d)) for d in DEVICES))
    assert len(secrets) > 100
    assert not {s for s in secrets if s in text}
    assert credential not in text
    assert "eyJ" not in text
