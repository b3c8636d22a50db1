"""The tools' interface (names, input and output schemas, annotations) against a snapshot.

A change to a tool's interface fails here until the snapshot is rewritten on purpose:
`UPDATE_SNAPSHOTS=1 uv run pytest mcp-catalyst-center/tests/test_schema_snapshot.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp_catalyst_center import CatalystCenterSettings, build
from platform_testkit.snapshot import check_snapshot, offline_interface

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools.json"


async def current_interface() -> dict[str, Any]:
    return await offline_interface(CatalystCenterSettings, build)


async def test_tool_interfaces_match_the_snapshot() -> None:
    check_snapshot(await current_interface(), SNAPSHOT)


async def test_every_tool_declares_its_action_and_has_a_description(
    tool_sets: dict[str, set[str]],
) -> None:
    interface = await current_interface()
    actions = {name: tool["meta"]["action"] for name, tool in interface.items()}
    assert actions["deploy_template"] == "write"
    assert actions["run_show_commands"] == actions["preview_template"] == "execute"
    assert {n for n, a in actions.items() if a == "read"} == tool_sets["read"]
    for name, tool in interface.items():
        assert len(tool.get("description", "")) > 30, name
        assert tool["outputSchema"]["type"] == "object", name
        assert tool["meta"]["resource"] == "catalyst-center", name
