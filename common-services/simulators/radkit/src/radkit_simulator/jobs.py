"""Exec requests: sent at once, observed by polling, complete like RADKit's `.wait()` sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DeviceRun", "ExecJob"]

PROCESSING, SUCCESS, FAILURE, TIMEOUT = "PROCESSING", "SUCCESS", "FAILURE", "TIMEOUT"


@dataclass
class DeviceRun:
    """One device's part of a request: its outputs (known at once) or its timeout."""

    name: str
    host: str
    reachable: bool
    outputs: dict[str, tuple[str, str]]  # command -> (SUCCESS|FAILURE, terminal text)

    def view(self, done: bool, timeout: float, commands: list[str]) -> dict[str, Any]:
        """This device's entry of the request's `result`."""
        if not done:
            return {"status": PROCESSING, "status_message": "", "commands": {}}
        if not self.reachable:
            message = f"no terminal session to {self.host} within {timeout:g} s (timed out)"
            pending = {"status": TIMEOUT, "data": "", "status_message": message}
            return {
                "status": TIMEOUT,
                "status_message": message,
                "commands": {c: dict(pending) for c in commands},
            }
        failed = [c for c in commands if self.outputs[c][0] != SUCCESS]
        results = {
            c: {
                "status": status,
                "data": data,
                "status_message": "" if status == SUCCESS else "command rejected by the device",
            }
            for c, (status, data) in self.outputs.items()
        }
        message = f"{len(failed)} of {len(commands)} commands failed" if failed else ""
        return {
            "status": FAILURE if failed else SUCCESS,
            "status_message": message,
            "commands": results,
        }


@dataclass
class ExecJob:
    """An exec request; reachable devices finish after `polls_needed` polls, others time out."""

    id: str
    service_id: str
    client_id: str
    commands: list[str]
    timeout: float
    created: float  # time.monotonic()
    sent_epoch: float
    polls_needed: int
    runs: list[DeviceRun]
    hang: bool = False
    polls: int = 0
    completed_epoch: float | None = field(default=None)

    def _done(self, run: DeviceRun, now: float) -> bool:
        if self.hang:
            return False
        if run.reachable:
            return self.polls >= self.polls_needed
        return now - self.created >= self.timeout

    def poll(self, now: float, now_epoch: float) -> dict[str, Any]:
        """One observation (counts as a poll): the `GET /api/requests/{id}` body."""
        self.polls += 1
        result = {
            r.name: r.view(self._done(r, now), self.timeout, self.commands) for r in self.runs
        }
        statuses = [entry["status"] for entry in result.values()]
        if PROCESSING in statuses:
            status = PROCESSING
        elif all(s == SUCCESS for s in statuses):
            status = SUCCESS
        elif any(s == SUCCESS for s in statuses):
            status = "PARTIAL_SUCCESS"
        else:
            status = FAILURE
        if status != PROCESSING and self.completed_epoch is None:
            self.completed_epoch = now_epoch
        return {
            "request_id": self.id,
            "request_type": "exec",
            "service_id": self.service_id,
            "client_id": self.client_id,
            "status": status,
            "sent_timestamp": self.sent_epoch,
            "completed_timestamp": self.completed_epoch,
            "timeout": self.timeout,
            "result": result,
        }
