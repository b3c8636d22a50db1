"""The workflows tools' interface (names, schemas, annotations, resource/action) as a snapshot.

Rewrite on purpose: UPDATE_SNAPSHOTS=1 uv run pytest <this file>.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platform_testkit.snapshot import check_snapshot, offline_interface
from temporal_service.server import build
from temporal_service.settings import WorkflowSettings

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools.json"


async def current_interface() -> dict[str, Any]:
    return await offline_interface(WorkflowSettings, build)


async def test_tool_interfaces_match_the_snapshot() -> None:
    check_snapshot(await current_interface(), SNAPSHOT)


async def test_start_executes_cancel_writes_status_reads_on_the_workflows_resource() -> None:
    interface = await current_interface()
    assert {name: tool["meta"] for name, tool in interface.items()} == {
        "start_template_deployment": {"resource": "workflows", "action": "execute"},
        "cancel_deployment": {"resource": "workflows", "action": "write"},
        "get_deployment_status": {"resource": "workflows", "action": "read"},
    }
    start = interface["start_template_deployment"]
    assert "requested_by" not in start["inputSchema"]["properties"]
    assert start["annotations"]["destructiveHint"] is True
    assert interface["get_deployment_status"]["annotations"]["readOnlyHint"] is True
