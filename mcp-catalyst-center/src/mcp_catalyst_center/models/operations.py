"""Results of the command runner and of task lookups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import AliasChoices, BaseModel, Field

from .record import ApiRecord, Flag, Key, Text, Timestamp

__all__ = ["CommandOutput", "CommandRunResult", "DeviceCommandOutputs", "TaskStatus"]


class CommandOutput(BaseModel):
    """One command's output on one device."""

    command: str = Field(description="The command as run")
    status: str = Field(description="SUCCESS, FAILURE (device error) or BLACKLISTED")
    output: str = Field(description="The device's output (secrets masked)")
    masked_secrets: int = Field(description="How many secrets were masked in the output")
    truncated: bool = Field(description="True when the output was cut at the size limit")


class DeviceCommandOutputs(BaseModel):
    """Every command's output on one device."""

    device_id: str = Field(description="Device id")
    results: list[CommandOutput] = Field(description="One entry per command, in order")


class CommandRunResult(BaseModel):
    """The outputs of a command-runner job."""

    task_id: str = Field(description="Catalyst Center task of the job")
    succeeded: int = Field(description="Command runs that succeeded")
    failed: int = Field(description="Command runs that failed or were blacklisted")
    devices: list[DeviceCommandOutputs] = Field(description="Outputs per device")


# Read from a `task/{id}` response.
class TaskStatus(ApiRecord):
    """Where an asynchronous Catalyst Center task stands."""

    task_id: Key = Field(description="Task id", validation_alias=AliasChoices("id", "taskId"))
    service_type: Text = Field(description="Service that runs it (NCTP, Command Runner...)")
    done: bool = Field(description="True once the task has ended (successfully or not)")
    is_error: Flag = Field(description="True when the task failed")
    failure_reason: Text = Field(description="Why it failed, when it did")
    progress: Text = Field(description="Progress text (may hold a result id)")
    data: Text = Field(description="Result data, e.g. a deployment id")
    started_at: Timestamp = Field(
        description="Start time (ISO 8601 UTC)", validation_alias="startTime"
    )
    ended_at: Timestamp = Field(
        description="End time (ISO 8601 UTC), null while running", validation_alias="endTime"
    )

    @classmethod
    def computed(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Whether the task has ended: it has an end time, or it failed."""
        return {"done": raw.get("endTime") is not None or bool(raw.get("isError"))}
