"""The wire shapes of the MCP tasks extension (SEP-2663, `io.modelcontextprotocol/tasks`).

They follow the extension's 2026-07-28 schema, as fastmcp-tasks 4.1 emits them: a flat
`CreateTaskResult` (`resultType: "task"`), a `tasks/get` result with the outcome inlined
(`result`, `error` or `inputRequests`), empty acknowledgements for `tasks/update` and
`tasks/cancel`. Durations are integer milliseconds (`ttlMs`, `pollIntervalMs`).
"""

from __future__ import annotations

from typing import Any, Literal

from mcp_types import RequestParams, Result
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CancelTaskResult",
    "CreateTaskResult",
    "GetTaskResult",
    "TaskIdParams",
    "TaskStatus",
    "UpdateTaskParams",
    "UpdateTaskResult",
    "missing_capability_data",
]

TASKS_EXTENSION_ID = "io.modelcontextprotocol/tasks"
TaskStatus = Literal["working", "input_required", "completed", "failed", "cancelled"]


class _Task(BaseModel):
    """The flat task fields (camelCase on the wire; no `_meta`: the schema forbids it)."""

    model_config = ConfigDict(populate_by_name=True)

    task_id: str = Field(serialization_alias="taskId")
    status: TaskStatus
    created_at: str = Field(serialization_alias="createdAt")
    last_updated_at: str = Field(serialization_alias="lastUpdatedAt")
    ttl_ms: int | None = Field(serialization_alias="ttlMs")
    status_message: str | None = Field(None, serialization_alias="statusMessage")
    poll_interval_ms: int | None = Field(None, serialization_alias="pollIntervalMs")


class CreateTaskResult(_Task):
    """What a task-augmented `tools/call` answers at once: the new task, `resultType: task`."""

    result_type: Literal["task"] = Field("task", serialization_alias="resultType")


class GetTaskResult(_Task):
    """`tasks/get`: the task with exactly one of `result`, `error` or `inputRequests`."""

    result_type: Literal["complete"] = Field("complete", serialization_alias="resultType")
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    input_requests: dict[str, Any] | None = Field(None, serialization_alias="inputRequests")


class UpdateTaskResult(Result):
    """`tasks/update`: an empty acknowledgement."""

    result_type: Literal["complete"] = Field("complete", serialization_alias="resultType")


class CancelTaskResult(Result):
    """`tasks/cancel`: an empty acknowledgement (the outcome shows in `tasks/get`)."""

    result_type: Literal["complete"] = Field("complete", serialization_alias="resultType")


class TaskIdParams(RequestParams):
    """Params of `tasks/get` and `tasks/cancel`."""

    model_config = ConfigDict(populate_by_name=True)

    task_id: str = Field(alias="taskId", min_length=1, max_length=256)


class UpdateTaskParams(RequestParams):
    """Params of `tasks/update`: the answers to the task's outstanding input requests."""

    model_config = ConfigDict(populate_by_name=True)

    task_id: str = Field(alias="taskId", min_length=1, max_length=256)
    input_responses: dict[str, Any] = Field(alias="inputResponses")


def missing_capability_data() -> dict[str, Any]:
    """`error.data` of a -32021 answer: the capability the client has to declare."""
    return {"requiredCapabilities": {"extensions": {TASKS_EXTENSION_ID: {}}}}
