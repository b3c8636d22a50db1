"""What the task tests share: the caller, the tool, a tool's result, waiting for a state."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import mcp_types as mt
from fastmcp.tools.base import ToolResult

from mcp_common import Principal
from mcp_common.tasks import BackgroundTaskStore, TaskView

ALICE = Principal("alice", frozenset({"network-engineers"}))
TOOL = "deploy_template"


def result(value: dict[str, Any]) -> ToolResult:
    """A tool's answer with `value` as its structured content."""
    return ToolResult(content=[mt.TextContent(type="text", text="done")], structured_content=value)


async def until(
    store: BackgroundTaskStore, task_id: str, done: Callable[[TaskView], bool]
) -> TaskView:
    """The task's view once `done` holds (the test fails after 10 s without it)."""
    deadline = time.monotonic() + 10
    while True:
        view = await store.get(task_id)
        if done(view):
            return view
        assert time.monotonic() < deadline, f"never got there: {view}"
        await asyncio.sleep(0.01)
