"""The published tool schemas match the reviewed snapshot (`UPDATE_SNAPSHOTS=1` rewrites it)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools.json"


async def published(stack: Any) -> list[dict[str, Any]]:
    async with stack.client("admin") as c:
        tools = await c.list_tools()
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


async def test_tool_schemas_match_the_snapshot(stack: Any) -> None:
    current = await published(stack)
    text = json.dumps(current, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(text)
    assert SNAPSHOT.exists(), "no snapshot yet: run with UPDATE_SNAPSHOTS=1 and review it"
    assert json.loads(SNAPSHOT.read_text()) == current, (
        "tool schemas changed: review, then run with UPDATE_SNAPSHOTS=1"
    )


async def test_every_tool_and_argument_is_described(stack: Any) -> None:
    for tool in await published(stack):
        assert tool["description"] and tool["title"], tool["name"]
        assert tool["input_schema"].get("additionalProperties") is False, tool["name"]
        for name, schema in tool["input_schema"]["properties"].items():
            assert schema.get("description"), f"{tool['name']}.{name} has no description"
        assert tool["output_schema"]["type"] == "object", tool["name"]
