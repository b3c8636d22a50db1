"""What a running tool reports: `report_progress`, `report_backend_job`, `point_of_no_return`.

A tool calls them whether or not it runs as a task. In a synchronous call, progress is
FastMCP's progress notification (the client here is FastMCP's in-memory one, which sends
a `progressToken`); inside a task run by a `BackgroundTaskStore`, it is that task's status
message, and only that task's. Progress never fails the tool. (The status message with a
message, the refused cancel and the outside-any-request case are in test_background.py.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from fastmcp import Client, FastMCP
from fastmcp.tools.base import ToolResult

from mcp_common.tasks import (
    BackgroundTaskStore,
    InMemoryTaskRecords,
    TaskStoreUnavailable,
    point_of_no_return,
    report_backend_job,
    report_progress,
)

from .conftest import ALICE, TOOL, result, until


class Steps:
    """Work that reports at each step, then waits for the test to let it go on."""

    def __init__(self, *reports: tuple[float, float | None, str | None]) -> None:
        self.reports = reports
        self.reported = [asyncio.Event() for _ in reports]
        self.go_on = [asyncio.Event() for _ in reports]

    async def __call__(self) -> ToolResult:
        for (progress, total, message), reported, go_on in zip(
            self.reports, self.reported, self.go_on, strict=True
        ):
            await report_progress(progress, total, message)
            reported.set()
            await go_on.wait()
        return result({"status": "SUCCESS"})

    async def step(self, index: int) -> None:
        """Wait for the report of step `index`, after letting the step before it go on."""
        if index > 0:
            self.go_on[index - 1].set()
        await self.reported[index].wait()

    def finish(self) -> None:
        self.go_on[-1].set()


# --- in a synchronous call ---------------------------------------------------------------


async def test_in_a_synchronous_call_progress_reaches_the_client_as_notifications() -> None:
    server = FastMCP("progress")

    @server.tool
    async def run_show_commands(devices: int) -> str:
        """Reports each device as it is done."""
        for done in range(1, devices + 1):
            await report_progress(done, devices, f"{done}/{devices} devices done")
        await report_progress(devices)
        return "all done"

    notified: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        notified.append((progress, total, message))

    async with Client(server, progress_handler=on_progress) as client:
        answer = await client.call_tool("run_show_commands", {"devices": 2})
    assert answer.data == "all done"
    assert notified == [(1, 2, "1/2 devices done"), (2, 2, "2/2 devices done"), (2, None, None)]


async def test_in_a_synchronous_call_the_backend_job_and_no_return_change_nothing() -> None:
    server = FastMCP("progress")

    @server.tool
    async def deploy_template(name: str) -> str:
        """Submits a deployment that cannot be recalled."""
        await point_of_no_return("the deployment was submitted and cannot be recalled")
        await report_backend_job("Catalyst Center task t-1", hint="see get_task(task_id='t-1')")
        await report_progress(1, 1, f"{name} submitted")
        return f"{name} deployed"

    notified: list[str | None] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        notified.append(message)

    async with Client(server, progress_handler=on_progress) as client:
        answer = await client.call_tool("deploy_template", {"name": "ntp"})
    assert (answer.is_error, answer.data) == (False, "ntp deployed")
    assert notified == ["ntp submitted"]  # only progress reaches the client


# --- inside a task -----------------------------------------------------------------------


async def test_in_a_task_progress_without_a_message_shows_progress_over_total() -> None:
    tasks = BackgroundTaskStore({TOOL}, InMemoryTaskRecords())
    work = Steps((2, 5, None), (3.0, None, None), (0.5, 4, None))
    task_id = (await tasks.create(TOOL, ALICE, work)).task_id
    shown = []
    for index in range(3):
        await work.step(index)
        shown.append((await tasks.get(task_id)).status_message)
    work.finish()
    assert shown == ["2/5", "3", "0.5/4"]
    assert (await until(tasks, task_id, lambda v: v.status != "working")).status == "completed"


async def test_each_task_shows_only_its_own_progress() -> None:
    tasks = BackgroundTaskStore({TOOL}, InMemoryTaskRecords())
    first = Steps((1, 3, "1/3 devices done: par-acc-01"))
    second = Steps((2, 4, "2/4 devices done: lyo-core-02"))
    first_id = (await tasks.create(TOOL, ALICE, first)).task_id
    second_id = (await tasks.create(TOOL, ALICE, second)).task_id
    await first.step(0)
    await second.step(0)
    assert (await tasks.get(first_id)).status_message == "1/3 devices done: par-acc-01"
    assert (await tasks.get(second_id)).status_message == "2/4 devices done: lyo-core-02"
    first.finish()
    second.finish()
    for task_id in (first_id, second_id):
        await until(tasks, task_id, lambda v: v.status == "completed")


async def test_progress_from_an_asyncio_task_the_tool_starts_reaches_its_task() -> None:
    async def collect() -> ToolResult:
        async def one_device(name: str) -> None:
            await report_progress(1, 1, f"1/1 devices done: {name}")

        await asyncio.create_task(one_device("par-acc-01"))
        reported.set()
        await go_on.wait()
        return result({"status": "SUCCESS"})

    reported, go_on = asyncio.Event(), asyncio.Event()
    tasks = BackgroundTaskStore({TOOL}, InMemoryTaskRecords())
    task_id = (await tasks.create(TOOL, ALICE, collect)).task_id
    await reported.wait()
    assert (await tasks.get(task_id)).status_message == "1/1 devices done: par-acc-01"
    go_on.set()
    await until(tasks, task_id, lambda v: v.status == "completed")


async def test_the_caller_that_creates_a_task_does_not_report_into_it() -> None:
    tasks, work = BackgroundTaskStore({TOOL}, InMemoryTaskRecords()), Steps((0, 3, "rendering"))
    task_id = (await tasks.create(TOOL, ALICE, work)).task_id
    await work.step(0)
    await report_progress(3, 3, "the caller's own progress")
    await point_of_no_return("the caller passed its own point of no return")
    assert (await tasks.get(task_id)).status_message == "rendering"
    await tasks.cancel(task_id, ALICE)  # the task never passed its point of no return
    assert (await tasks.get(task_id)).status == "cancelled"


class ProgressUnavailable(InMemoryTaskRecords):
    """Records that answer everything but what the tool reports while it runs."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    async def change(
        self, task_id: str, changes: Mapping[str, Any], *, lease_before: float | None = None
    ) -> bool:
        if "status" not in changes and {"message", "backend_job"} & set(changes):
            self.refused += 1
            raise TaskStoreUnavailable()
        return await super().change(task_id, changes, lease_before=lease_before)


async def test_a_task_store_that_cannot_take_the_reports_never_fails_the_tool() -> None:
    async def deploy() -> ToolResult:
        await report_progress(0, 3, "0/3 devices done: submitting")
        await report_backend_job("Catalyst Center task t-2", hint="see get_task")
        await report_progress(3, 3, "3/3 devices done")
        return result({"status": "SUCCESS"})

    records = ProgressUnavailable()
    tasks = BackgroundTaskStore({TOOL}, records)
    task_id = (await tasks.create(TOOL, ALICE, deploy)).task_id
    done = await until(tasks, task_id, lambda v: v.status != "working")
    assert records.refused == 3
    assert done.status == "completed" and done.result is not None
    assert done.result["isError"] is False
    assert done.result["structuredContent"] == {"status": "SUCCESS"}
