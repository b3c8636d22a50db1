"""`TaskStore`: where tasks live (a durable engine such as Temporal), behind a Protocol."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from mcp_common.auth._principal import Principal
from mcp_common.errors import PlatformError
from mcp_common.tasks._wire import TaskStatus

__all__ = ["StartWork", "TaskNotFound", "TaskStore", "TaskView"]

# The tool body: calling it starts the work (for a durable engine, its answer names the work).
# It answers a fastmcp ToolResult (an error result when the tool refused).
StartWork = Callable[[], Awaitable[object]]


class TaskNotFound(PlatformError):
    """No task has this id (or it is not the caller's: the two are never told apart)."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        super().__init__(f"Task {task_id} not found")


@dataclass(frozen=True, slots=True)
class TaskView:
    """One task as its store sees it now; `owner` is the subject of the person who created it."""

    task_id: str
    owner: str
    status: TaskStatus
    created_at: datetime
    last_updated_at: datetime
    ttl_ms: int | None = None
    poll_interval_ms: int | None = None
    status_message: str | None = None
    result: Mapping[str, Any] | None = None  # a CallToolResult, when completed
    error: Mapping[str, Any] | None = None  # a JSON-RPC error, when failed
    input_requests: Mapping[str, Any] | None = None  # when input_required


@runtime_checkable
class TaskStore(Protocol):
    """Creates, reads, answers and cancels tasks; ownership is checked by the extension."""

    @property
    def tools(self) -> frozenset[str]:
        """The tools this store runs as tasks when the client declared the extension."""
        ...

    async def create(self, tool: str, owner: Principal, start: StartWork) -> TaskView:
        """Start `tool`'s work as a task for `owner`; return once `get` would find it."""
        ...

    async def get(self, task_id: str) -> TaskView:
        """The task now (TaskNotFound when there is none)."""
        ...

    async def update(self, task_id: str, responses: Mapping[str, Any], caller: Principal) -> None:
        """Deliver answers to outstanding input requests (unknown keys are ignored)."""
        ...

    async def cancel(self, task_id: str, caller: Principal) -> None:
        """Ask the task to stop; it may refuse (the reason then shows in its status)."""
        ...
