"""Long-running tools as MCP tasks (SEP-2663): the extension, its wire shapes, `TaskStore`."""

from mcp_common.tasks._extension import TasksExtension
from mcp_common.tasks._store import StartWork, TaskNotFound, TaskStore, TaskView
from mcp_common.tasks._wire import (
    CancelTaskResult,
    CreateTaskResult,
    GetTaskResult,
    TaskIdParams,
    TaskStatus,
    UpdateTaskParams,
    UpdateTaskResult,
    missing_capability_data,
)

__all__ = [
    "CancelTaskResult",
    "CreateTaskResult",
    "GetTaskResult",
    "StartWork",
    "TaskIdParams",
    "TaskNotFound",
    "TaskStatus",
    "TaskStore",
    "TaskView",
    "TasksExtension",
    "UpdateTaskParams",
    "UpdateTaskResult",
    "missing_capability_data",
]
