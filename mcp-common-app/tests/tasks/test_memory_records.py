"""`InMemoryTaskRecords`: the task records of one process, in a dict.

What the `TaskRecords` contract asks of every implementation is in test_records.py; here,
what only this one does: each instance keeps its own records, and past `max_records` the
oldest finished records are dropped, never an unfinished one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from typing import Any

import pytest

from mcp_common.tasks import InMemoryTaskRecords, TaskRecord


def record(age: float = 0.0, **fields: Any) -> TaskRecord:
    """A task created `age` seconds ago, with `fields` changed."""
    created_at = time.time() - age
    made = TaskRecord(
        task_id=f"deploy_template-{uuid.uuid4()}", tool="deploy_template", owner="alice",
        status="working", created_at=created_at, updated_at=created_at, ttl_ms=3_600_000,
        poll_interval_ms=1000, holder="host-a:4242:1f2e", lease_until=created_at + 30,
    )  # fmt: skip
    return dataclasses.replace(made, **fields)


async def found(records: InMemoryTaskRecords, *kept: TaskRecord) -> list[bool]:
    return [await records.read(one.task_id) is not None for one in kept]


@pytest.mark.parametrize("max_records", [0, -1])
def test_a_bound_below_one_record_is_refused(max_records: int) -> None:
    with pytest.raises(ValueError, match="max_records"):
        InMemoryTaskRecords(max_records=max_records)


async def test_each_instance_keeps_records_of_its_own() -> None:
    one, other = InMemoryTaskRecords(), InMemoryTaskRecords()
    kept = record()
    await one.add(kept)
    assert await one.read(kept.task_id) == kept
    assert await other.read(kept.task_id) is None
    assert not await other.change(kept.task_id, {"message": "1/3 devices done"})


async def test_past_the_bound_the_finished_record_created_first_is_dropped() -> None:
    records = InMemoryTaskRecords(max_records=3)
    newer = record(age=20, status="failed")
    older = record(age=30, status="completed")  # added after `newer`, but created before it
    running = record(age=40)  # older still, but unfinished
    await records.add(newer)
    await records.add(older)
    await records.add(running)
    assert await found(records, newer, older, running) == [True, True, True]
    latest = record()
    await records.add(latest)
    assert await found(records, newer, older, running, latest) == [True, False, True, True]


async def test_when_several_must_go_the_newest_finished_records_stay() -> None:
    records = InMemoryTaskRecords(max_records=2)
    ages = [50, 10, 40, 20, 30]
    done = [record(age=age, status="completed") for age in ages]
    for one in done:
        await records.add(one)
    assert await found(records, *done) == [age in {10, 20} for age in ages]


async def test_unfinished_records_are_kept_even_past_the_bound() -> None:
    records = InMemoryTaskRecords(max_records=2)
    running = [record(age=age) for age in (30, 20, 10)]
    for one in running:
        await records.add(one)
    assert await found(records, *running) == [True, True, True]


async def test_a_record_finished_by_a_change_may_then_be_dropped_for_the_bound() -> None:
    records = InMemoryTaskRecords(max_records=2)
    first, second = record(age=20), record(age=10)
    await records.add(first)
    await records.add(second)
    assert await records.change(first.task_id, {"status": "completed"})
    third = record()
    await records.add(third)
    assert await found(records, first, second, third) == [False, True, True]


async def test_expired_records_do_not_count_against_the_bound() -> None:
    records = InMemoryTaskRecords(max_records=2)
    done = record(status="completed")
    short = record(ttl_ms=50)  # unfinished: it only goes when its ttl has passed
    await records.add(done)
    await records.add(short)
    await asyncio.sleep(short.created_at + 0.06 - time.time())  # past its ttl, never read
    latest = record()
    await records.add(latest)
    assert await found(records, done, latest) == [True, True]
