"""Results of the command runner and of task lookups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from .common import as_str, iso_time

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


class TaskStatus(BaseModel):
    """Where an asynchronous Catalyst Center task stands."""

    task_id: str = Field(description="Task id")
    service_type: str | None = Field(description="Service that runs it (NCTP, Command Runner...)")
    done: bool = Field(description="True once the task has ended (successfully or not)")
    is_error: bool = Field(description="True when the task failed")
    failure_reason: str | None = Field(description="Why it failed, when it did")
    progress: str | None = Field(description="Progress text (may hold a result id)")
    data: str | None = Field(description="Result data, e.g. a deployment id")
    started_at: str | None = Field(description="Start time (ISO 8601 UTC)")
    ended_at: str | None = Field(description="End time (ISO 8601 UTC), null while running")

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> TaskStatus:
        """From a `task/{id}` response."""
        return cls(
            task_id=str(raw.get("id") or raw.get("taskId") or ""),
            service_type=as_str(raw.get("serviceType")),
            done=raw.get("endTime") is not None or bool(raw.get("isError")),
            is_error=bool(raw.get("isError")),
            failure_reason=as_str(raw.get("failureReason")),
            progress=as_str(raw.get("progress")),
            data=as_str(raw.get("data")),
            started_at=iso_time(raw.get("startTime")),
            ended_at=iso_time(raw.get("endTime")),
        )
