"""Tool-interface snapshots: what a server publishes, checked against a reviewed file.

A change to a tool's interface fails the check until the snapshot is rewritten on purpose:
`UPDATE_SNAPSHOTS=1 uv run pytest <the snapshot test>`, then review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

__all__ = ["UPDATE_ENV", "check_snapshot", "published_tools", "tool_interface"]

UPDATE_ENV = "UPDATE_SNAPSHOTS"


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
