"""What a running tool tells the MCP task it runs in: progress, its backend job, no return.

Tools call these whether or not they run as a task:
- inside a task (a `BackgroundTaskStore` runs the call), `report_progress` becomes the
  task's status message, `report_backend_job` names the backend's own job (so a task
  whose server restarted can say where to look), and `point_of_no_return` makes
  `tasks/cancel` refuse from then on, with the reason in the status message;
- in a synchronous call, `report_progress` is FastMCP's `Context.report_progress` (a
  `notifications/progress`, sent only when the client gave a `progressToken`); the other
  two do nothing.

Progress is observability: it fails open, never failing the tool.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Protocol

from fastmcp.server.dependencies import get_context

from mcp_common.observability._logging import get_logger

__all__ = ["point_of_no_return", "report_backend_job", "report_progress"]

_log = get_logger(__name__)


class TaskReporter(Protocol):
    """The task a tool runs in, as the tool sees it (implemented by the task's store)."""

    async def progress(self, progress: float, total: float | None, message: str | None) -> None:
        """Show progress in the task's status message."""
        ...

    async def backend_job(self, name: str, hint: str) -> None:
        """Remember the backend job doing the work."""
        ...

    async def point_of_no_return(self, reason: str) -> None:
        """Refuse cancels from now on (must take effect before its first await)."""
        ...


# Set by the store in the context the tool runs in; None in a synchronous call.
current_reporter: ContextVar[TaskReporter | None] = ContextVar(
    "mcp_common_task_reporter", default=None
)


async def report_progress(
    progress: float, total: float | None = None, message: str | None = None
) -> None:
    """Report progress: the task's status message, or a progress notification.

    `message` should say it all ("3/12 devices done: par-acc-01"); without one the
    status message is `progress/total`.
    """
    reporter = current_reporter.get()
    if reporter is not None:
        await reporter.progress(progress, total, message)
        return
    try:
        context = get_context()
    except RuntimeError:  # called outside an MCP request (e.g. a direct call in a test)
        return
    try:
        await context.report_progress(progress, total, message)
    except Exception as exc:
        _log.debug("progress not sent", extra={"error.type": type(exc).__name__})


async def report_backend_job(name: str, *, hint: str = "") -> None:
    """Name the backend job doing the work, e.g. "Catalyst Center task 1f0c..."; `hint`
    says how to follow it without the task ("see get_task(task_id='1f0c...')")."""
    reporter = current_reporter.get()
    if reporter is not None:
        await reporter.backend_job(name, hint)


async def point_of_no_return(reason: str) -> None:
    """From here on the work cannot be recalled: `tasks/cancel` is refused with `reason`.

    Call it just before the step that cannot be undone (before the request is sent, not
    after the answer: a request in flight may take effect even if its answer is lost).
    """
    reporter = current_reporter.get()
    if reporter is not None:
        await reporter.point_of_no_return(reason)
