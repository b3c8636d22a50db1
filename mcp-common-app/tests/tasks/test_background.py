"""`BackgroundTaskStore`: tasks run in the server process, their state in memory or Redis.

The work is a coroutine standing for the rest of a tools/call (what FastMCP hands the
extension); it waits on events the test sets, so every state is reached on purpose. The
shared-state tests use the real Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
import redis.asyncio as redis
from fastmcp.exceptions import ToolError
from fastmcp.tools.base import ToolResult
from mcp.shared.exceptions import MCPError

from mcp_common import UpstreamError
from mcp_common.tasks import (
    BackgroundTaskStore,
    InMemoryTaskRecords,
    RedisTaskRecords,
    TaskNotFound,
    TaskRecord,
    TaskRecords,
    TooManyTasks,
    point_of_no_return,
    report_backend_job,
    report_progress,
)

from .conftest import ALICE, TOOL, result, until


def store(records: TaskRecords | None = None, **options: Any) -> BackgroundTaskStore:
    return BackgroundTaskStore({TOOL}, records or InMemoryTaskRecords(), **options)


class Work:
    """A tool call that reports, then waits for the test before answering."""

    def __init__(self, answer: Callable[[], Awaitable[ToolResult]] | None = None) -> None:
        self.release = asyncio.Event()
        self.reported = asyncio.Event()
        self.answer = answer

    async def __call__(self) -> ToolResult:
        await report_progress(1, 3, "1/3 devices done: par-acc-01")
        self.reported.set()
        await self.release.wait()
        if self.answer is not None:
            return await self.answer()
        return result({"status": "SUCCESS"})


@pytest_asyncio.fixture
async def shared(redis_url: str) -> AsyncIterator[Callable[[], RedisTaskRecords]]:
    """Records in the real Redis, in a namespace of this test's own (as two processes)."""
    namespace = f"test-{uuid.uuid4().hex[:8]}"
    made: list[RedisTaskRecords] = []

    def make() -> RedisTaskRecords:
        made.append(RedisTaskRecords(redis.Redis.from_url(redis_url), namespace=namespace))
        return made[-1]

    yield make
    for records in made:
        await records.aclose()


async def test_a_task_is_working_at_once_shows_progress_and_completes_with_the_result() -> None:
    tasks, work = store(), Work()
    created = await tasks.create(TOOL, ALICE, work)
    assert (created.status, created.owner) == ("working", "alice")
    assert created.ttl_ms == 3_600_000 and created.poll_interval_ms == 1000
    await work.reported.wait()
    working = await tasks.get(created.task_id)
    assert (working.status, working.status_message) == ("working", "1/3 devices done: par-acc-01")
    work.release.set()
    done = await until(tasks, created.task_id, lambda v: v.status != "working")
    assert done.status == "completed" and done.error is None
    assert done.result == {
        "content": [{"type": "text", "text": "done"}],
        "structuredContent": {"status": "SUCCESS"},
        "isError": False,
    }
    assert tasks.running == 0


async def test_a_tool_error_completes_with_is_error_as_the_synchronous_call_answers() -> None:
    async def refuse() -> ToolResult:
        raise ToolError("Error calling tool 'deploy_template'") from UpstreamError(
            "catalyst-center returned HTTP 500", backend="catalyst-center", status=500
        )

    tasks, work = store(), Work(refuse)
    task_id = (await tasks.create(TOOL, ALICE, work)).task_id
    work.release.set()
    done = await until(tasks, task_id, lambda v: v.status != "working")
    assert done.status == "completed" and done.result is not None
    assert done.result["isError"] is True
    assert done.result["content"][0]["text"] == "catalyst-center returned HTTP 500"
    assert done.result["_meta"]["io.mcp-platform/error"]["kind"] == "upstream_error"
    assert done.status_message == "completed with an error: catalyst-center returned HTTP 500"


@pytest.mark.parametrize(
    ("fault", "code", "message"),
    [
        (RuntimeError("token=hunter2 in /srv/x.py line 3"), -32603, "failed unexpectedly"),
        (MCPError(code=-32602, message="unknown device"), -32602, "unknown device"),
    ],
)
async def test_a_fault_outside_the_tool_fails_with_a_json_rpc_error_and_no_detail(
    fault: Exception, code: int, message: str
) -> None:
    async def crash() -> ToolResult:
        raise fault

    tasks, work = store(), Work(crash)
    task_id = (await tasks.create(TOOL, ALICE, work)).task_id
    work.release.set()
    done = await until(tasks, task_id, lambda v: v.status != "working")
    assert done.status == "failed" and done.result is None and done.error is not None
    assert done.error["code"] == code and message in done.error["message"]
    assert "hunter2" not in str(done) and "Traceback" not in str(done)


async def test_cancel_before_the_point_of_no_return_ends_cancelled() -> None:
    tasks, work = store(), Work()
    task_id = (await tasks.create(TOOL, ALICE, work)).task_id
    await work.reported.wait()
    await tasks.cancel(task_id, ALICE)
    view = await tasks.get(task_id)
    assert (view.status, view.status_message) == ("cancelled", "cancelled through tasks/cancel")
    assert tasks.running == 0


async def test_after_the_point_of_no_return_cancel_is_refused_with_the_reason() -> None:
    async def deploy() -> ToolResult:
        await point_of_no_return("the deployment was submitted and cannot be recalled")
        await report_backend_job("Catalyst Center task t-1", hint="see get_task")
        submitted.set()
        await go_on.wait()
        return result({"status": "SUCCESS"})

    submitted, go_on = asyncio.Event(), asyncio.Event()
    tasks = store()
    task_id = (await tasks.create(TOOL, ALICE, deploy)).task_id
    await submitted.wait()
    await tasks.cancel(task_id, ALICE)
    refused = await tasks.get(task_id)
    assert refused.status == "working"
    assert refused.status_message is not None and refused.status_message.endswith(
        "cancel refused: the deployment was submitted and cannot be recalled"
    )
    go_on.set()
    done = await until(tasks, task_id, lambda v: v.status != "working")
    assert done.status == "completed"


class SwallowingRecords(InMemoryTaskRecords):
    """Drops the first cancel that arrives while progress is written, as redis-py's sends
    do on Python 3.11 (under `asyncio.wait_for`, CPython gh-86296)."""

    def __init__(self) -> None:
        super().__init__()
        self.writing = asyncio.Event()
        self.swallowed = 0

    async def change(
        self, task_id: str, changes: Mapping[str, Any], *, lease_before: float | None = None
    ) -> bool:
        applied = await super().change(task_id, changes, lease_before=lease_before)
        if "message" in changes and not self.writing.is_set():
            self.writing.set()
            try:
                await asyncio.Event().wait()  # until the cancel, which it drops
            except asyncio.CancelledError:
                self.swallowed += 1
        return applied


async def test_a_cancel_swallowed_while_progress_is_written_still_ends_cancelled() -> None:
    async def poll() -> ToolResult:  # as the tools wait for a backend job, to a deadline
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            await report_progress(0, 3, "0/3 devices done: running")
            await asyncio.sleep(0.01)
        return result({"status": "TIMED OUT"})

    records = SwallowingRecords()
    tasks = store(records)
    task_id = (await tasks.create(TOOL, ALICE, poll)).task_id
    await records.writing.wait()
    await tasks.cancel(task_id, ALICE)
    view = await tasks.get(task_id)
    assert records.swallowed == 1
    assert (view.status, view.status_message) == ("cancelled", "cancelled through tasks/cancel")
    assert view.result is None and tasks.running == 0


async def test_work_whose_cancel_was_swallowed_never_passes_the_point_of_no_return() -> None:
    async def deploy() -> ToolResult:
        await report_progress(0, 3, "0/3 devices done: rendering")
        rendering.set()
        with contextlib.suppress(asyncio.CancelledError):  # a backend call drops the cancel
            await asyncio.Event().wait()
        await point_of_no_return("the deployment was submitted and cannot be recalled")
        submitted.set()
        return result({"status": "SUCCESS"})

    rendering, submitted = asyncio.Event(), asyncio.Event()
    tasks = store()
    task_id = (await tasks.create(TOOL, ALICE, deploy)).task_id
    await rendering.wait()
    await tasks.cancel(task_id, ALICE)
    view = await tasks.get(task_id)
    assert (view.status, view.status_message) == ("cancelled", "cancelled through tasks/cancel")
    assert not submitted.is_set() and tasks.running == 0


async def test_running_tasks_are_bounded_per_process() -> None:
    tasks, first = store(max_running=1), Work()
    task_id = (await tasks.create(TOOL, ALICE, first)).task_id
    with pytest.raises(TooManyTasks, match="already runs 1 tasks"):
        await tasks.create(TOOL, ALICE, Work())
    first.release.set()
    await until(tasks, task_id, lambda v: v.status == "completed")
    second = Work()
    second.release.set()
    assert (await tasks.create(TOOL, ALICE, second)).status == "working"


async def test_a_task_expires_after_its_ttl() -> None:
    tasks, work = store(ttl=timedelta(milliseconds=50)), Work()
    work.release.set()
    task_id = (await tasks.create(TOOL, ALICE, work)).task_id
    deadline = time.monotonic() + 5
    with pytest.raises(TaskNotFound):
        while time.monotonic() < deadline:
            await tasks.get(task_id)
            await asyncio.sleep(0.02)


@pytest.mark.parametrize(
    ("hint", "named"),
    [
        ("see get_task(task_id='t-9')", "may have finished: see get_task(task_id='t-9')"),
        ("", "may have finished"),  # without a hint, the job is named alone
    ],
)
async def test_stopping_the_server_fails_its_tasks_naming_the_backend_job(
    hint: str, named: str
) -> None:
    async def deploy() -> ToolResult:
        await report_backend_job("Catalyst Center task t-9", hint=hint)
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    records, started = InMemoryTaskRecords(), asyncio.Event()
    tasks = store(records)
    task_id = (await tasks.create(TOOL, ALICE, deploy)).task_id
    await started.wait()
    await tasks.aclose()
    record = await records.read(task_id)
    assert record is not None and record.status == "failed"
    assert record.message == (
        f"the server restarted before the task finished; Catalyst Center task t-9 {named}"
    )
    assert record.error == {"code": -32603, "message": record.message}


async def test_progress_outside_a_task_and_outside_a_request_does_nothing() -> None:
    await report_progress(1, 2, "1/2")
    await report_backend_job("job")
    await point_of_no_return("reason")


# --- shared through Redis ---------------------------------------------------------------


async def test_another_process_sees_the_task_and_its_cancel_reaches_the_holder(
    shared: Callable[[], RedisTaskRecords],
) -> None:
    one = store(shared(), lease=timedelta(seconds=1))
    two = store(shared(), lease=timedelta(seconds=1))
    work = Work()
    task_id = (await one.create(TOOL, ALICE, work)).task_id
    await work.reported.wait()
    seen = await two.get(task_id)
    assert (seen.status, seen.owner, seen.status_message) == (
        "working",
        "alice",
        "1/3 devices done: par-acc-01",
    )
    await two.cancel(task_id, ALICE)  # recorded; the holder acts at its next renewal
    done = await until(two, task_id, lambda v: v.status != "working")
    assert done.status == "cancelled"
    await one.aclose()
    await two.aclose()


async def test_the_holder_renews_its_lease_while_the_work_runs(
    shared: Callable[[], RedisTaskRecords],
) -> None:
    records = shared()
    tasks, work = store(records, lease=timedelta(seconds=1)), Work()
    task_id = (await tasks.create(TOOL, ALICE, work)).task_id
    first = await records.read(task_id)
    assert first is not None
    other = store(shared())
    while time.time() < first.lease_until + 0.2:  # past the first lease: renewed, not dead
        assert (await other.get(task_id)).status == "working"
        await asyncio.sleep(0.05)
    renewed = await records.read(task_id)
    assert renewed is not None and renewed.lease_until > first.lease_until
    work.release.set()
    assert (await until(other, task_id, lambda v: v.status != "working")).status == "completed"
    await tasks.aclose()


async def test_a_task_whose_process_died_fails_naming_its_backend_job(
    shared: Callable[[], RedisTaskRecords],
) -> None:
    records = shared()
    now = time.time()
    # What a crashed process leaves behind: working, its lease no longer renewed.
    await records.add(
        TaskRecord(
            task_id="deploy_template-dead", tool=TOOL, owner="alice", status="working",
            created_at=now - 60, updated_at=now - 40, ttl_ms=3_600_000, poll_interval_ms=1000,
            holder="gone-host:4242:dead", lease_until=now - 10, message="0/3 devices done",
            backend_job="Catalyst Center task t-7", backend_hint="see get_task(task_id='t-7')",
        )
    )  # fmt: skip
    view = await store(shared()).get("deploy_template-dead")
    assert view.status == "failed"
    assert view.status_message == (
        "the server restarted before the task finished; Catalyst Center task t-7 may have "
        "finished: see get_task(task_id='t-7')"
    )
    assert view.error == {"code": -32603, "message": view.status_message}
    stored = await records.read("deploy_template-dead")  # recorded once, for every reader
    assert stored is not None and stored.status == "failed"
    assert not await records.change("deploy_template-dead", {"status": "completed"})


async def test_records_expire_in_redis_with_the_task_ttl(
    shared: Callable[[], RedisTaskRecords], redis_url: str
) -> None:
    tasks, work = store(shared(), ttl=timedelta(seconds=90)), Work()
    work.release.set()
    task_id = (await tasks.create(TOOL, ALICE, work)).task_id
    client = redis.Redis.from_url(redis_url)
    keys = [k async for k in client.scan_iter(match=f"mcp:task:*:{task_id}")]
    assert len(keys) == 1 and 0 < await client.pttl(keys[0]) <= 90_000
    await client.aclose()
    await tasks.aclose()
