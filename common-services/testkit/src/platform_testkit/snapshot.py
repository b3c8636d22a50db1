"""Tool-interface snapshots: what a server publishes, checked against a reviewed file.

A change to a tool's interface fails the check until the snapshot is rewritten on purpose:
`UPDATE_SNAPSHOTS=1 uv run pytest <the snapshot test>`, then review the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "OFFLINE_SETTINGS",
    "UPDATE_ENV",
    "assert_every_tool_described",
    "check_snapshot",
    "offline_interface",
    "published_tools",
    "tool_interface",
]

UPDATE_ENV = "UPDATE_SNAPSHOTS"

# Settings of a server that is only built, never run: every address points at a closed port.
OFFLINE_SETTINGS: dict[str, Any] = {
    "oidc_issuer": "http://127.0.0.1:9",
    "oidc_audience": "mcp-platform",
    "vault_addr": "http://127.0.0.1:9",
    "vault_token": "unused",
    "rate_limit_per_minute": 0,
}


async def tool_interface(server: Any) -> dict[str, Any]:
    """Tool name -> its MCP description plus `meta` (resource, action), from a built server.

    `server` is what a server package's `build(settings)` returns (it has `.mcp`).
    """
    tools = await server.mcp.list_tools(run_middleware=False)
    interface = {}
    for tool in sorted(tools, key=lambda t: t.name):
        mcp_tool = tool.to_mcp_tool().model_dump(mode="json", by_alias=True, exclude_none=True)
        mcp_tool.pop("_meta", None)
        mcp_tool["meta"] = tool.meta  # resource and action, which the policy reads
        interface[tool.name] = mcp_tool
    return interface


async def offline_interface(
    settings_class: Callable[..., Any], build: Callable[..., Any]
) -> dict[str, Any]:
    """`tool_interface` of a server built from `OFFLINE_SETTINGS`, with the static verifier,
    authorizer and secret store of `mcp_common.testing`: nothing is reached, nothing runs."""
    from mcp_common.testing import StaticAuthorizer, StaticSecretStore, StaticVerifier

    server = build(
        settings_class(**OFFLINE_SETTINGS),
        verifier=StaticVerifier({}),
        authorizer=StaticAuthorizer(),
        secrets=StaticSecretStore({}),
    )
    return await tool_interface(server)


async def published_tools(stack: Any, identity: str = "admin") -> list[dict[str, Any]]:
    """The tools as an MCP client of a running stack sees them (`ServerStack.client`)."""
    async with stack.client(identity) as client:
        tools = await client.list_tools()
    return [
        {
            "name": t.name,
            "title": t.title,
            "description": t.description,
            "annotations": t.annotations.model_dump(mode="json", exclude_none=True),
            "input_schema": t.input_schema,
            "output_schema": t.output_schema,
        }
        for t in sorted(tools, key=lambda t: t.name)
    ]


def assert_every_tool_described(tools: list[dict[str, Any]]) -> None:
    """Each of `published_tools` has a title and a description, a closed input schema whose
    every argument is described, and an object as output."""
    for tool in tools:
        assert tool["description"] and tool["title"], tool["name"]
        assert tool["input_schema"].get("additionalProperties") is False, tool["name"]
        for name, schema in tool["input_schema"]["properties"].items():
            assert schema.get("description"), f"{tool['name']}.{name} has no description"
        assert tool["output_schema"]["type"] == "object", tool["name"]


def check_snapshot(current: Any, path: Path) -> None:
    """Assert `current` equals the snapshot at `path`; with UPDATE_SNAPSHOTS=1, rewrite it."""
    if os.environ.get(UPDATE_ENV) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
        pytest.skip(f"snapshot rewritten: review the diff of {path.name}")
    assert path.exists(), f"no snapshot yet: run with {UPDATE_ENV}=1 and review {path}"
    expected = json.loads(path.read_text())
    if isinstance(current, dict) and isinstance(expected, dict):
        assert sorted(current) == sorted(expected), "tools were added or removed"
        for name in expected:
            assert current[name] == expected[name], f"the interface of {name!r} changed"
    else:
        assert current == expected, f"tool schemas changed: review, then run with {UPDATE_ENV}=1"
