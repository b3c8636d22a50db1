"""The published tool schemas match the reviewed snapshot (`UPDATE_SNAPSHOTS=1` rewrites it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platform_testkit import check_snapshot, published_tools

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools.json"


async def test_tool_schemas_match_the_snapshot(stack: Any) -> None:
    check_snapshot(await published_tools(stack), SNAPSHOT)


async def test_every_tool_and_argument_is_described(stack: Any) -> None:
    for tool in await published_tools(stack):
        assert tool["description"] and tool["title"], tool["name"]
        assert tool["input_schema"].get("additionalProperties") is False, tool["name"]
        for name, schema in tool["input_schema"]["properties"].items():
            assert schema.get("description"), f"{tool['name']}.{name} has no description"
        assert tool["output_schema"]["type"] == "object", tool["name"]
