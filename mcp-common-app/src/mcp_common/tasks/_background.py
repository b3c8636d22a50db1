"""`BackgroundTaskStore`: MCP tasks whose work runs inside the server process.

`create` starts the rest of the `tools/call` (the tool body; policy, rate limit and audit
have already run in the middleware chain) as a background asyncio task and answers
`working` at once. The state lives in `TaskRecords`: Redis when `MCP_REDIS_URL` is set (any
worker process or replica answers `tasks/get`), memory otherwise.

Outcomes, following SEP-2663 and fastmcp-tasks:
- the tool answered (also with an error it raised, mapped as the synchronous call maps
  it): `completed`, the CallToolResult inlined (`isError` as the synchronous call has it);
- a protocol fault (an `MCPError` from the pipeline) or a crash outside the tool body:
  `failed`, with a JSON-RPC error and no stack trace;
- `tasks/cancel` before the tool's point of no return: `cancelled`; after it, refused, the
  reason in the status message (the work goes on);
- the process running it stopped (restart, crash): `failed`, naming the backend job when
  the tool reported one. A stopping server says so at once; a crashed one stops renewing
  its lease, and the first reader after the lease ends records the failure.

A cancel that reaches another process is recorded in the task; the holder acts on it
when it next renews the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import socket
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import mcp_types as mt
from fastmcp.exceptions import FastMCPError
from fastmcp.server.extensions import ServerExtension
from fastmcp.server.middleware import MiddlewareContext
from fastmcp.tools.base import ToolResult
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR

from mcp_common._redis import redis_client
from mcp_common.auth._principal import Principal
from mcp_common.errors import PlatformError
from mcp_common.observability._logging import get_logger
from mcp_common.server._error_middleware import ErrorMiddleware
from mcp_common.server._tool_call import run_when_work_ends
from mcp_common.settings import CommonSettings
from mcp_common.tasks._extension import TasksExtension
from mcp_common.tasks._memory_records import InMemoryTaskRecords
from mcp_common.tasks._progress import current_reporter
from mcp_common.tasks._records import TaskRecord, TaskRecords, TaskStoreUnavailable
from mcp_common.tasks._redis_records import RedisTaskRecords
from mcp_common.tasks._store import StartWork, TaskNotFound, TaskView

__all__ = ["BackgroundTaskStore", "TooManyTasks", "background_tasks", "build_task_records"]

_log = get_logger(__name__)
_FINAL_WRITE_TRIES = 3


class TooManyTasks(PlatformError):
    """This process already runs as many tasks as it may; nothing was started."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            f"this server process already runs {limit} tasks, the most it allows "
            "(MCP_TASKS_MAX_RUNNING); retry when one has finished"
        )


def restart_message(record: TaskRecord) -> str:
    """Why a task whose process stopped failed, and where its backend job can be followed."""
    message = "the server restarted before the task finished"
    if record.backend_job:
        message += f"; {record.backend_job} may have finished"
        if record.backend_hint:
            message += f": {record.backend_hint}"
    return message


@dataclass(eq=False)
class _Running:
    """One task this process runs: its work, and what the tool told it (a TaskReporter)."""

    task_id: str
    tool: str
    store: BackgroundTaskStore
    work: asyncio.Task[Any] | None = None
    runner: asyncio.Task[None] | None = None
    no_return: str | None = None
    stop_reason: str | None = None  # why the work was cancelled: cancelled, shutdown, lost
    started: float = 0.0

    async def progress(self, progress: float, total: float | None, message: str | None) -> None:
        """The status message: the tool's message, else `progress/total`."""
        text = message or (f"{progress:g}/{total:g}" if total else f"{progress:g}")
        await self._report({"message": text[:1000]})

    async def backend_job(self, name: str, hint: str) -> None:
        """Remember the backend's job (said when the server restarts before the end)."""
        await self._report({"backend_job": name[:300], "backend_hint": hint[:300]})

    async def point_of_no_return(self, reason: str) -> None:
        """Refuse cancels from now on: the local flag first, before any await (work already
        stopped never gets past this point)."""
        self._go_on()
        self.no_return = reason
        await self._report({"no_return": reason[:500]})

    async def _report(self, changes: Mapping[str, Any]) -> None:
        self._go_on()
        await self.store.note(self.task_id, changes)
        self._go_on()

    def _go_on(self) -> None:
        """The work's checkpoint at each report: once stopped, it ends here (CancelledError),
        even when a library on the way swallowed the cancel (see RedisTaskRecords)."""
        if self.stop_reason is not None:
            raise asyncio.CancelledError

    def stop(self, reason: str) -> None:
        """Cancel the work (the runner records the outcome)."""
        if self.stop_reason is None:
            self.stop_reason = reason
        if self.work is not None:
            self.work.cancel()


class BackgroundTaskStore:
    """A TaskStore whose tasks run here, as asyncio tasks, with their state in TaskRecords."""

    def __init__(
        self,
        tools: Iterable[str],
        records: TaskRecords,
        *,
        ttl: timedelta = timedelta(hours=1),
        poll_interval: timedelta = timedelta(seconds=1),
        max_running: int = 16,
        lease: timedelta = timedelta(seconds=30),
    ) -> None:
        self._tools = frozenset(tools)
        if not self._tools:
            raise ValueError("a BackgroundTaskStore needs the tools it runs as tasks")
        if not isinstance(records, TaskRecords):
            raise TypeError("records must implement TaskRecords")
        if min(ttl, poll_interval, lease) <= timedelta(0):
            raise ValueError("ttl, poll_interval and lease must be positive")
        if max_running < 1:
            raise ValueError("max_running must be >= 1")
        self._records = records
        self._ttl_ms = int(ttl.total_seconds() * 1000)
        self._poll_ms = max(1, int(poll_interval.total_seconds() * 1000))
        self._lease = lease.total_seconds()
        self._max_running = max_running
        # Who runs a task: this store in this process (a restarted process is someone else).
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._running: dict[str, _Running] = {}
        self._errors = ErrorMiddleware()
        self._closed = False

    @property
    def tools(self) -> frozenset[str]:
        """The tools run as tasks when the client declared the extension."""
        return self._tools

    @property
    def running(self) -> int:
        """How many tasks this store runs now."""
        return len(self._running)

    # -- TaskStore ----------------------------------------------------------------------------

    async def create(self, tool: str, owner: Principal, start: StartWork) -> TaskView:
        """Record the task, start the work in the background, answer `working` at once."""
        if self._closed:
            raise TaskStoreUnavailable()
        if len(self._running) >= self._max_running:
            raise TooManyTasks(self._max_running)
        now = time.time()
        record = TaskRecord(
            task_id=f"{tool}-{uuid.uuid4()}",
            tool=tool,
            owner=owner.subject,
            status="working",
            created_at=now,
            updated_at=now,
            ttl_ms=self._ttl_ms,
            poll_interval_ms=self._poll_ms,
            holder=self.holder,
            lease_until=now + self._lease,
            message="started",
        )
        await self._records.add(record)
        running = _Running(record.task_id, tool, self, started=time.monotonic())
        self._running[record.task_id] = running
        # The work runs in the caller's context (principal, request) plus the reporter.
        context = contextvars.copy_context()
        context.run(current_reporter.set, running)
        running.work = asyncio.create_task(_call(start), context=context)
        running.runner = asyncio.create_task(self._run(running))
        return _view(record)

    async def get(self, task_id: str) -> TaskView:
        """The task now (a task whose holder stopped renewing its lease is `failed`)."""
        return _view(await self._current(task_id))

    async def update(self, task_id: str, responses: Mapping[str, Any], caller: Principal) -> None:
        """These tasks never ask for input: answers are ignored."""
        await self._current(task_id)

    async def cancel(self, task_id: str, caller: Principal) -> None:
        """Cancel before the point of no return; after it, refuse (reason in the status)."""
        record = await self._current(task_id)
        if record.terminal:
            return
        running = self._running.get(task_id)
        if running is not None:
            if running.no_return is not None:
                await self.note(task_id, {"cancel_refused": running.no_return})
                return
            running.stop("cancelled")
            if running.runner is not None:  # let tasks/get show the outcome right after
                await asyncio.wait({running.runner}, timeout=2.0)
            return
        if record.no_return is not None:
            await self._records.change(task_id, {"cancel_refused": record.no_return})
            return
        # Another process runs it: it decides at its next lease renewal.
        await self._records.change(
            task_id, {"cancel_requested": caller.subject, "updated_at": time.time()}
        )

    # -- lifecycle ----------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Stop every running task (each ends `failed`: the server restarted), then close."""
        if self._closed:
            return
        self._closed = True
        runners = []
        for running in list(self._running.values()):
            running.stop("shutdown")
            if running.runner is not None:
                runners.append(running.runner)
        if runners:
            await asyncio.wait(runners, timeout=5.0)
        await self._records.aclose()

    # -- inside ------------------------------------------------------------------------------

    async def note(self, task_id: str, changes: Mapping[str, Any]) -> None:
        """A change the tool or the store reports while the task runs (fails open)."""
        with contextlib.suppress(TaskStoreUnavailable):  # logged; the work goes on
            await self._records.change(task_id, {**changes, "updated_at": time.time()})

    async def _current(self, task_id: str) -> TaskRecord:
        record = await self._records.read(task_id)
        if record is None:
            raise TaskNotFound(task_id)
        now = time.time()
        mine = record.holder == self.holder and task_id in self._running
        if record.terminal or mine or record.lease_until >= now:
            return record
        # Its holder stopped renewing the lease: the process is gone.
        failed = {**_failed(restart_message(record)), "updated_at": now}
        if await self._records.change(task_id, failed, lease_before=now):
            _log.warning(
                "task lost with its process",
                extra={"event.action": "task.lost", "task.id": task_id, "tool.name": record.tool},
            )
        return await self._records.read(task_id) or record

    async def _run(self, running: _Running) -> None:
        """Renew the lease while the work runs (acting on cancels from elsewhere), then record
        the outcome."""
        work = running.work
        assert work is not None
        try:
            try:
                while not work.done():
                    await asyncio.wait({work}, timeout=self._lease / 3)
                    if not work.done():
                        await self._renew(running)
            except asyncio.CancelledError:  # the event loop is going away without aclose
                running.stop("shutdown")
                await asyncio.wait({work}, timeout=5.0)
            if work.done():
                changes = await self._outcome(running, work)
                if changes is not None:
                    await self._finish(running, changes)
        finally:
            self._running.pop(running.task_id, None)

    async def _renew(self, running: _Running) -> None:
        try:
            renewed = await self._records.change(
                running.task_id, {"lease_until": time.time() + self._lease}
            )
            record = await self._records.read(running.task_id) if renewed else None
        except TaskStoreUnavailable:
            return  # try again at the next renewal
        if not renewed:  # declared lost, or expired: nobody waits for this work any more
            running.stop("lost")
            return
        if record is not None and record.cancel_requested:
            if running.no_return is not None:
                if record.cancel_refused is None:
                    await self.note(running.task_id, {"cancel_refused": running.no_return})
            else:
                running.stop("cancelled")

    async def _outcome(self, running: _Running, work: asyncio.Task[Any]) -> dict[str, Any] | None:
        """The record's final fields (None: nothing to record)."""
        if work.cancelled():
            return await self._stopped(running)
        exc = work.exception()
        if exc is None:
            answer = work.result()
            if isinstance(answer, ToolResult):
                return _completed(answer)
            return _crash(running, "the tool call answered something other than a tool result")
        if isinstance(exc, MCPError):  # a protocol fault: the JSON-RPC error itself
            error = {"code": exc.error.code, "message": exc.error.message}
            return {"status": "failed", "message": exc.error.message, "error": error}
        if isinstance(exc, (FastMCPError, PlatformError)):  # as the synchronous call answers
            return _completed(await self._tool_error(exc))
        return _crash(running, type(exc).__name__)

    async def _stopped(self, running: _Running) -> dict[str, Any] | None:
        if running.stop_reason == "lost":
            return None
        if running.stop_reason == "cancelled":
            return {"status": "cancelled", "message": "cancelled through tasks/cancel"}
        if running.stop_reason == "shutdown":
            record = await self._read_quietly(running.task_id)
            message = restart_message(record) if record else "the server restarted"
            return _failed(message)
        return _crash(running, "CancelledError")

    async def _finish(self, running: _Running, changes: dict[str, Any]) -> None:
        changes["updated_at"] = time.time()
        for attempt in range(_FINAL_WRITE_TRIES):
            try:
                await self._records.change(running.task_id, changes)
                break
            except TaskStoreUnavailable:
                if attempt + 1 < _FINAL_WRITE_TRIES and not self._closed:
                    await asyncio.sleep(0.2 * (attempt + 1))
        _log.info(
            "task ended",
            extra={"event.action": "task.end", "task.id": running.task_id,
                   "tool.name": running.tool, "task.status": changes["status"],
                   "event.duration": int((time.monotonic() - running.started) * 1e9)},
        )  # fmt: skip

    async def _tool_error(self, exc: BaseException) -> ToolResult:
        """The result the synchronous call answers for this error (ErrorMiddleware's)."""

        async def fail(context: MiddlewareContext[mt.CallToolRequestParams]) -> ToolResult:
            raise exc

        context = MiddlewareContext(message=mt.CallToolRequestParams(name="-", arguments={}))
        return await self._errors.on_call_tool(context, fail)

    async def _read_quietly(self, task_id: str) -> TaskRecord | None:
        try:
            return await self._records.read(task_id)
        except TaskStoreUnavailable:
            return None


async def _call(start: StartWork) -> object:
    try:
        return await start()
    finally:  # what the middlewares do when a call is done (e.g. the read cache's drop)
        await run_when_work_ends()


def _failed(message: str) -> dict[str, Any]:
    return {"status": "failed", "message": message,
            "error": {"code": INTERNAL_ERROR, "message": message}}  # fmt: skip


def _crash(running: _Running, what: str) -> dict[str, Any]:
    """`failed` for a fault outside the tool body: logged by type, never shown in detail."""
    _log.error(
        "task failed outside the tool",
        extra={"event.action": "task.crash", "task.id": running.task_id,
               "tool.name": running.tool, "error.type": what},
    )  # fmt: skip
    return _failed("the task failed unexpectedly; the platform team can trace it in the logs")


def _completed(answer: ToolResult) -> dict[str, Any]:
    """`completed` with the CallToolResult inlined."""
    result = mt.CallToolResult(
        content=answer.content,
        structured_content=answer.structured_content,
        is_error=answer.is_error,
        _meta=answer.meta,  # type: ignore[call-arg]  # the alias of `meta`
    ).model_dump(mode="json", by_alias=True, exclude_none=True)
    result.pop("resultType", None)  # inlined in tasks/get, which carries its own
    if answer.is_error:
        texts = [c.text for c in answer.content if isinstance(c, mt.TextContent)]
        message = "completed with an error: " + (texts[0][:300] if texts else "(no message)")
    else:
        message = "completed"
    return {"status": "completed", "message": message, "result": result}


def _view(record: TaskRecord) -> TaskView:
    message = record.message
    if record.cancel_refused and not record.terminal:
        message = f"{message or 'working'}; cancel refused: {record.cancel_refused}"
    return TaskView(
        task_id=record.task_id,
        owner=record.owner,
        status=record.status,
        created_at=datetime.fromtimestamp(record.created_at, UTC),
        last_updated_at=datetime.fromtimestamp(record.updated_at, UTC),
        ttl_ms=record.ttl_ms,
        poll_interval_ms=record.poll_interval_ms,
        status_message=message,
        result=record.result,
        error=record.error,
    )


def build_task_records(settings: CommonSettings) -> TaskRecords:
    """Redis (the platform's `MCP_REDIS_URL`) when configured, else this process's memory;
    records are kept apart per service (`service_name`)."""
    if settings.redis_url:
        return RedisTaskRecords(redis_client(settings.redis_url), namespace=settings.service_name)
    return InMemoryTaskRecords()


def background_tasks(settings: CommonSettings, tools: Iterable[str]) -> list[ServerExtension]:
    """The tasks extension for `tools`, run in this process (what `ServerSpec.task_tools`
    adds), bounded and kept as the `MCP_TASKS_*` settings say."""
    store = BackgroundTaskStore(
        tools,
        build_task_records(settings),
        ttl=timedelta(seconds=settings.tasks_ttl_seconds),
        poll_interval=timedelta(seconds=settings.tasks_poll_interval_seconds),
        max_running=settings.tasks_max_running,
    )
    return [TasksExtension(store)]
