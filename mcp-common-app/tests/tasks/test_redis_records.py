"""`RedisTaskRecords` against the real Redis: a cancel always reaches the caller.

The client (`racing_redis`, tests/conftest.py) cancels the caller just after a command is
sent, where redis-py on Python 3.11 would drop the cancel.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio
import redis.asyncio as redis

from mcp_common.tasks import RedisTaskRecords, TaskRecord

from ..conftest import CancelAfterSend

TaskOperation = Callable[[RedisTaskRecords, TaskRecord], Awaitable[object]]


@pytest_asyncio.fixture
async def hook(
    racing_redis: tuple[redis.Redis, CancelAfterSend],
) -> AsyncIterator[tuple[RedisTaskRecords, CancelAfterSend]]:
    client, after_send = racing_redis
    records = RedisTaskRecords(client, namespace=f"test-{uuid.uuid4().hex[:8]}")
    yield records, after_send
    await records.aclose()


def record() -> TaskRecord:
    now = time.time()
    return TaskRecord(
        task_id=f"tool-{uuid.uuid4()}", tool="tool", owner="alice", status="working",
        created_at=now, updated_at=now, ttl_ms=60_000, poll_interval_ms=1000,
    )  # fmt: skip


async def add(records: RedisTaskRecords, task: TaskRecord) -> object:
    await records.add(task)
    return "added"


async def read(records: RedisTaskRecords, task: TaskRecord) -> object:
    return await records.read(task.task_id)


async def change(records: RedisTaskRecords, task: TaskRecord) -> object:
    return await records.change(task.task_id, {"message": "1/3 devices done"})


@pytest.mark.parametrize("operation", [add, read, change])
async def test_a_cancel_arriving_as_the_command_is_sent_cancels_the_caller(
    hook: tuple[RedisTaskRecords, CancelAfterSend], operation: TaskOperation
) -> None:
    records, after_send = hook
    task = record()
    await records.add(task)  # the connection is open and the record there before the race
    caller = asyncio.create_task(operation(records, task))
    after_send.target = caller
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert after_send.cancelled == 1  # the race was reached: cancelled right after the send
    assert caller.cancelled()


async def test_operations_that_nobody_cancels_answer_as_usual(
    hook: tuple[RedisTaskRecords, CancelAfterSend],
) -> None:
    records, after_send = hook
    task = record()
    await records.add(task)
    assert await records.change(task.task_id, {"message": "2/3 devices done"})
    kept = await records.read(task.task_id)
    assert kept is not None and kept.message == "2/3 devices done"
    assert after_send.cancelled == 0
