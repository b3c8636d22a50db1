"""The published tool schemas match the reviewed snapshot (`UPDATE_SNAPSHOTS=1` rewrites it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platform_testkit.snapshot import (
    assert_every_tool_described,
    check_snapshot,
    published_tools,
)

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools.json"


async def test_tool_schemas_match_the_snapshot(stack: Any) -> None:
    check_snapshot(await published_tools(stack), SNAPSHOT)


async def test_every_tool_and_argument_is_described(stack: Any) -> None:
    assert_every_tool_described(await published_tools(stack))
