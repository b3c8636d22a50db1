"""Errors of the Catalyst Center server, each a subclass of the platform's hierarchy."""

from __future__ import annotations

from mcp_common import UpstreamError
from mcp_common.errors import InvalidInput
from mcp_common.network import CommandRefused
from mcp_common.observability import redact_text

__all__ = ["BACKEND", "CommandRefused", "InvalidArgument", "TaskFailed", "TaskTimedOut"]

# The backend's name in messages, metrics and logs.
BACKEND = "catalyst-center"


class InvalidArgument(InvalidInput):
    """A tool argument is not acceptable; nothing was sent to Catalyst Center."""


class TaskFailed(UpstreamError):
    """A Catalyst Center task ended with `isError`; the message carries its failureReason."""

    def __init__(self, task_id: str, reason: str) -> None:
        self.task_id = task_id
        # The backend's own words, shortened and stripped of anything secret-shaped.
        self.reason = " ".join(redact_text(reason).split())[:500] or "no reason given"
        message = f"Catalyst Center task {task_id} failed: {self.reason}"
        super().__init__(message, backend=BACKEND, kind="task_failed")


class TaskTimedOut(UpstreamError):
    """An asynchronous operation did not finish before the deadline (it may still finish)."""

    def __init__(self, what: str, seconds: float, hint: str = "") -> None:
        self.what = what
        self.seconds = seconds
        message = f"Catalyst Center {what} did not complete within {seconds:g} s"
        super().__init__(f"{message}; {hint}" if hint else message, backend=BACKEND, kind="timeout")
