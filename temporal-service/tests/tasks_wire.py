"""The MCP tasks extension on the wire, for these tests: platform_testkit's raw JSON-RPC
helpers, with `until` waiting for statuses (the form these tests read best in)."""

from __future__ import annotations

from typing import Any

from platform_testkit.tasks import get_task, rpc
from platform_testkit.tasks import until as _until

__all__ = ["get_task", "rpc", "until"]


async def until(
    url: str, token: str, task_id: str, *statuses: str, within: float = 60
) -> dict[str, Any]:
    """Poll tasks/get until the task is in one of `statuses` (each read asks Temporal)."""
    return await _until(
        url, token, task_id, lambda t: t["status"] in statuses, within=within, every=0.1
    )
