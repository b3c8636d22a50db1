"""The tools' interface (names, input and output schemas, annotations) against a snapshot.

A change to a tool's interface fails here until the snapshot is rewritten on purpose:
`UPDATE_SNAPSHOTS=1 uv run pytest mcp-radkit/tests/test_schema_snapshot.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp_radkit import RadkitSettings, build
from platform_testkit.snapshot import check_snapshot, offline_interface

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools.json"


async def current_interface() -> dict[str, Any]:
    return await offline_interface(RadkitSettings, build)


async def test_tool_interfaces_match_the_snapshot() -> None:
    check_snapshot(await current_interface(), SNAPSHOT)


async def test_every_tool_declares_its_action_and_has_a_description() -> None:
    interface = await current_interface()
    actions = {name: tool["meta"]["action"] for name, tool in interface.items()}
    assert actions == {
        "list_devices": "read",
        "get_device": "read",
        "exec_commands": "execute",
        "check_reachability": "execute",
        "collect_diagnostics": "execute",
    }
    for name, tool in interface.items():
        assert len(tool.get("description", "")) > 30, name
        assert tool["outputSchema"]["type"] == "object", name
        assert tool["meta"]["resource"] == "radkit", name
        assert tool["annotations"]["destructiveHint"] is False, name
        assert tool["annotations"]["readOnlyHint"] is (actions[name] == "read"), name


async def test_device_lists_are_bounded_in_the_schema() -> None:
    interface = await current_interface()
    exec_input = interface["exec_commands"]["inputSchema"]["properties"]
    assert exec_input["devices"]["maxItems"] == 20
    assert exec_input["commands"]["maxItems"] == 10
    assert exec_input["device_timeout"]["maximum"] == 300
    assert (
        interface["collect_diagnostics"]["inputSchema"]["properties"]["devices"]["maxItems"] == 10
    )
