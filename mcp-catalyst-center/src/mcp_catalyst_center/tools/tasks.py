"""The task tool: where an asynchronous Catalyst Center operation stands."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mcp_common import Toolset

from ..client import CatalystCenterClient, not_found
from ..models.operations import TaskStatus
from .common import UUID_PATTERN

__all__ = ["task_tools"]


def task_tools(client: CatalystCenterClient) -> Toolset:
    """One look at a task, without waiting."""
    ts = Toolset("tasks", "Asynchronous Catalyst Center tasks")

    @ts.tool(action="read", title="Get a task's status")
    async def get_task(
        task_id: Annotated[str, Field(pattern=UUID_PATTERN, description="Task id (UUID)")],
    ) -> TaskStatus:
        """Where an asynchronous task stands: done or not, failed or not, and why."""
        with not_found(f"task {task_id}"):
            return TaskStatus.from_api(await client.get_task(task_id))

    return ts
