"""Asynchronous jobs: tasks (what `/task/{id}` reports) and template deployments."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .devices import TENANT_ID
from .templates import Template, TemplateVersion

__all__ = ["Deployment", "Outcome", "Task", "deployment_view", "task_view"]


@dataclass
class Task:
    """A task that completes after `needed` GETs, unless it hangs; may end in error."""

    id: str
    service_type: str
    username: str
    start_ms: int
    needed: int
    running_progress: str
    done_progress: str
    done_data: str | None = None
    failure: str | None = None
    hang: bool = False
    polls: int = 0
    end_ms: int | None = None
    on_done: Callable[[], None] | None = None

    @property
    def done(self) -> bool:
        """True once the task has ended (successfully or not)."""
        return self.end_ms is not None

    def poll(self, now_ms: int) -> None:
        """One observation: the `needed`-th one completes the task (and runs `on_done`)."""
        self.polls += 1
        if self.done or self.hang or self.polls < self.needed:
            return
        self.end_ms = now_ms
        if self.failure is None and self.on_done is not None:
            self.on_done()


def task_view(task: Task) -> dict[str, Any]:
    """The `response` of `GET /dna/intent/api/v1/task/{taskId}`."""
    view: dict[str, Any] = {
        "id": task.id,
        "taskId": task.id,
        "instanceTenantId": TENANT_ID,
        "serviceType": task.service_type,
        "username": task.username,
        "startTime": task.start_ms,
        "version": task.start_ms,
        "lastUpdate": task.end_ms or task.start_ms,
        "isError": False,
        "progress": task.running_progress,
    }
    if not task.done:
        return view
    view["endTime"] = task.end_ms
    if task.failure is not None:
        view.update(isError=True, failureReason=task.failure, errorCode="TASK_FAILED",
                    progress="Task failed")  # fmt: skip
        return view
    view["progress"] = task.done_progress
    if task.done_data is not None:
        view["data"] = task.done_data
    return view


@dataclass
class Outcome:
    """What one deployment target will end as."""

    identifier: str
    target_type: str
    device_id: str | None
    name: str | None
    ip: str | None
    ok: bool
    message: str
    rendered: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    version_id: str = ""


@dataclass
class Deployment:
    """A template deployment: reported INIT/IN_PROGRESS until observed `needed` times."""

    id: str
    template: Template
    version: TemplateVersion
    outcomes: list[Outcome]
    start_ms: int
    needed: int
    polls: int = 0
    end_ms: int | None = None

    @property
    def done(self) -> bool:
        """True once final."""
        return self.end_ms is not None

    @property
    def status(self) -> str:
        """INIT, IN_PROGRESS, SUCCESS or FAILURE (any failed target fails the deployment)."""
        if not self.done:
            return "INIT" if self.polls <= 1 else "IN_PROGRESS"
        return "SUCCESS" if all(o.ok for o in self.outcomes) else "FAILURE"


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


def deployment_view(dep: Deployment) -> dict[str, Any]:
    """The body of `GET .../template-programmer/template/deploy/status/{deploymentId}`."""
    duration = f"{((dep.end_ms or dep.start_ms) - dep.start_ms) // 1000} seconds"
    devices = []
    for o in dep.outcomes:
        status = ("SUCCESS" if o.ok else "FAILURE") if dep.done else "IN_PROGRESS"
        message = o.message if dep.done else "Deployment in progress"
        devices.append({
            "deviceId": o.device_id, "name": o.name, "ipAddress": o.ip,
            "identifier": o.identifier, "targetType": o.target_type, "status": status,
            "detailedStatusMessage": message, "startTime": _iso(dep.start_ms),
            "endTime": _iso(dep.end_ms), "duration": duration,
        })  # fmt: skip
    return {
        "deploymentId": dep.id,
        "deploymentName": f"{dep.template.name} deployment",
        "projectName": dep.template.project,
        "templateName": dep.template.name,
        "templateVersion": str(dep.version.version),
        "status": dep.status,
        "statusMessage": "" if not dep.done else f"Deployment {dep.status.lower()}",
        "startTime": _iso(dep.start_ms),
        "endTime": _iso(dep.end_ms),
        "duration": duration,
        "devices": devices,
    }
