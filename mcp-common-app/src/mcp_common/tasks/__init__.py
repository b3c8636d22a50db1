"""Long-running tools as MCP tasks (SEP-2663): the extension, its wire shapes, `TaskStore`,
the in-process store (`BackgroundTaskStore`, its `TaskRecords` in Redis or memory) and what
a tool reports while it runs (`report_progress`, `report_backend_job`, `point_of_no_return`).
"""

from mcp_common.tasks._background import (
    BackgroundTaskStore,
    TooManyTasks,
    background_tasks,
    build_task_records,
)
from mcp_common.tasks._extension import TasksExtension
from mcp_common.tasks._memory_records import InMemoryTaskRecords
from mcp_common.tasks._progress import point_of_no_return, report_backend_job, report_progress
from mcp_common.tasks._records import (
    TERMINAL_STATUSES,
    TaskRecord,
    TaskRecords,
    TaskStoreUnavailable,
)
from mcp_common.tasks._redis_records import RedisTaskRecords
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
    "TERMINAL_STATUSES",
    "BackgroundTaskStore",
    "CancelTaskResult",
    "CreateTaskResult",
    "GetTaskResult",
    "InMemoryTaskRecords",
    "RedisTaskRecords",
    "StartWork",
    "TaskIdParams",
    "TaskNotFound",
    "TaskRecord",
    "TaskRecords",
    "TaskStatus",
    "TaskStore",
    "TaskStoreUnavailable",
    "TaskView",
    "TasksExtension",
    "TooManyTasks",
    "UpdateTaskParams",
    "UpdateTaskResult",
    "background_tasks",
    "build_task_records",
    "missing_capability_data",
    "point_of_no_return",
    "report_backend_job",
    "report_progress",
]
