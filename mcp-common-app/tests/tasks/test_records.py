"""Task records (`mcp_common.tasks`): a `TaskRecord` as Redis hash fields, and the `TaskRecords`
contract that every place tasks are kept honours.

A record survives encoding to flat string fields and back; a hash that is not a record is
refused. The contract (add, read, conditional change with a lease, terminal states, expiry
by ttl) is checked against both implementations: `InMemoryTaskRecords` and
`RedisTaskRecords` on the real Redis at 127.0.0.1:6379, each test in a namespace of its own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, get_args

import pytest
import pytest_asyncio

from mcp_common import PlatformError
from mcp_common._redis import redis_client
from mcp_common.tasks import (
    InMemoryTaskRecords,
    RedisTaskRecords,
    TaskRecord,
    TaskRecords,
    TaskStatus,
    TaskStoreUnavailable,
)

# What another process writes when it finds the holder's lease ended: the holder died.
DIED: dict[str, Any] = {
    "status": "failed",
    "message": "the server restarted before the task finished",
}


def record(**fields: Any) -> TaskRecord:
    """A task just created and running in this process, with `fields` changed."""
    now = time.time()
    created = TaskRecord(
        task_id=f"deploy_template-{uuid.uuid4()}", tool="deploy_template", owner="alice",
        status="working", created_at=now, updated_at=now, ttl_ms=60_000, poll_interval_ms=1000,
        holder="host-a:4242:1f2e", lease_until=now + 30,
    )  # fmt: skip
    return dataclasses.replace(created, **fields)


def finished() -> TaskRecord:
    """A record with every field set: completed, after a refused cancel."""
    return record(
        status="completed",
        message="3/3 devices done",
        backend_job="Catalyst Center task t-9",
        backend_hint="see get_task(task_id='t-9')",
        no_return="the deployment was submitted and cannot be recalled",
        cancel_requested="bob",
        cancel_refused="the deployment was submitted and cannot be recalled",
        result={
            "content": [{"type": "text", "text": "déployé sur par-acc-01"}],
            "structuredContent": {"devices": ["par-acc-01", "par-acc-02"], "ok": True},
            "isError": False,
        },
        error={"code": -32603, "message": "unused here, kept all the same"},
    )


# --- a record as hash fields ------------------------------------------------------------


def test_a_record_with_every_field_set_survives_encoding_to_hash_fields_and_back() -> None:
    kept = finished()
    fields = kept.encode()
    assert all(isinstance(value, str) for value in fields.values())
    assert TaskRecord.decode(fields) == kept  # times to the last bit, result and error as dicts


def test_a_record_is_read_back_from_the_bytes_redis_answers_with() -> None:
    kept = finished()
    answered = {name.encode(): value.encode() for name, value in kept.encode().items()}
    assert TaskRecord.decode(answered) == kept


def test_absent_values_are_empty_strings_and_fields_missing_from_the_hash_read_as_absent() -> None:
    fresh = record(lease_until=0.0)
    fields = fresh.encode()
    assert fields["message"] == fields["result"] == fields["cancel_requested"] == ""
    assert TaskRecord.decode(fields) == fresh
    # A hash written before some fields existed: they read as absent (None, or 0 for times).
    older = {name: value for name, value in fields.items() if name in {"task_id", "status"}}
    decoded = TaskRecord.decode(older)
    assert (decoded.task_id, decoded.status, decoded.lease_until) == (fresh.task_id, "working", 0)
    assert decoded.message is None and decoded.result is None and decoded.holder == ""


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param({"task_id": ""}, id="no task id"),
        pytest.param({"status": "paused"}, id="unknown status"),
        pytest.param({"status": ""}, id="no status"),
        pytest.param({"result": "[1, 2]"}, id="result not an object"),
        pytest.param({"error": "not json"}, id="error not json"),
        pytest.param({"created_at": "yesterday"}, id="time not a number"),
        pytest.param({"ttl_ms": "an hour"}, id="ttl not an integer"),
    ],
)
def test_a_hash_that_is_not_a_well_formed_record_is_refused(broken: dict[str, str]) -> None:
    fields = {**record().encode(), **broken}
    with pytest.raises(ValueError):
        TaskRecord.decode(fields)


# --- the store does not answer -----------------------------------------------------------


def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_a_store_that_does_not_answer_raises_task_store_unavailable_and_nothing_more() -> (
    None
):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    records = RedisTaskRecords(redis_client(url), namespace="test-unreachable")
    kept = record()
    operations: list[Callable[[], Awaitable[object]]] = [
        lambda: records.add(kept),
        lambda: records.read(kept.task_id),
        lambda: records.change(kept.task_id, {"message": "1/3 devices done"}),
    ]
    try:
        for operation in operations:
            with pytest.raises(TaskStoreUnavailable) as raised:
                await operation()
            # A platform error, shown to the caller as it is: no address, no driver error.
            assert isinstance(raised.value, PlatformError)
            assert "127.0.0.1" not in str(raised.value)
            assert raised.value.__cause__ is None and raised.value.__suppress_context__
    finally:
        await records.aclose()


# --- the TaskRecords contract, in memory and in Redis -----------------------------------


@pytest_asyncio.fixture(params=["memory", "redis"])
async def records(request: pytest.FixtureRequest) -> AsyncIterator[TaskRecords]:
    """Each implementation of the contract; Redis in a namespace of this test's own."""
    kept: TaskRecords
    if request.param == "memory":
        kept = InMemoryTaskRecords()
    else:
        url: str = request.getfixturevalue("redis_url")
        kept = RedisTaskRecords(redis_client(url), namespace=f"test-{uuid.uuid4().hex[:8]}")
    yield kept
    await kept.aclose()


async def test_a_record_added_is_read_back_as_it_was(records: TaskRecords) -> None:
    kept = finished()
    await records.add(kept)
    assert await records.read(kept.task_id) == kept


async def test_a_task_never_added_is_not_found(records: TaskRecords) -> None:
    assert await records.read(f"deploy_template-{uuid.uuid4()}") is None


async def test_a_change_to_an_unfinished_record_is_applied_and_leaves_other_fields_as_they_were(
    records: TaskRecords,
) -> None:
    kept = record(backend_hint="see get_task(task_id='t-9')")
    await records.add(kept)
    later = kept.updated_at + 1.25
    changes: dict[str, Any] = {
        "message": "1/3 devices done: par-acc-01",
        "updated_at": later,
        "backend_hint": None,
    }
    assert await records.change(kept.task_id, changes)
    assert await records.read(kept.task_id) == dataclasses.replace(kept, **changes)


async def test_a_change_to_a_task_never_added_is_not_applied_and_adds_nothing(
    records: TaskRecords,
) -> None:
    stray = record()  # every field of a record, so one made by the change would be read
    assert not await records.change(stray.task_id, dataclasses.asdict(stray))
    assert await records.read(stray.task_id) is None


@pytest.mark.parametrize("status", get_args(TaskStatus))
async def test_only_a_completed_failed_or_cancelled_record_refuses_every_change(
    records: TaskRecords, status: TaskStatus
) -> None:
    kept = record(status=status)
    await records.add(kept)
    terminal = status in {"completed", "failed", "cancelled"}
    assert kept.terminal is terminal
    applied = await records.change(kept.task_id, {"message": "late progress"})
    assert applied is not terminal
    expected = kept if terminal else dataclasses.replace(kept, message="late progress")
    assert await records.read(kept.task_id) == expected


async def test_the_first_terminal_status_written_wins(records: TaskRecords) -> None:
    kept = record()
    await records.add(kept)
    outcome = {"content": [{"type": "text", "text": "done"}], "isError": False}
    assert await records.change(kept.task_id, {"status": "completed", "result": outcome})
    # The holder's lease has long ended for someone who thinks the process died: still no.
    assert not await records.change(kept.task_id, DIED, lease_before=kept.lease_until + 60)
    assert not await records.change(kept.task_id, {"status": "cancelled"})
    assert await records.read(kept.task_id) == dataclasses.replace(
        kept, status="completed", result=outcome
    )


async def test_a_change_under_a_lease_is_applied_only_once_the_lease_ended_before_that_time(
    records: TaskRecords,
) -> None:
    kept = record()
    await records.add(kept)
    assert not await records.change(kept.task_id, DIED, lease_before=kept.lease_until - 5)
    assert not await records.change(kept.task_id, DIED, lease_before=kept.lease_until)
    assert await records.read(kept.task_id) == kept
    assert await records.change(kept.task_id, DIED, lease_before=kept.lease_until + 0.001)
    assert await records.read(kept.task_id) == dataclasses.replace(kept, **DIED)


async def test_a_holder_that_renewed_its_lease_meanwhile_wins_over_a_takeover(
    records: TaskRecords,
) -> None:
    now = time.time()
    kept = record(lease_until=now - 1)  # another process sees the lease as ended...
    await records.add(kept)
    renewed = now + 30
    assert await records.change(kept.task_id, {"lease_until": renewed})  # ...the holder renews
    assert not await records.change(kept.task_id, DIED, lease_before=now)
    assert await records.read(kept.task_id) == dataclasses.replace(kept, lease_until=renewed)


async def test_a_change_naming_a_field_a_record_lacks_is_refused_whole(
    records: TaskRecords,
) -> None:
    kept = record()
    await records.add(kept)
    with pytest.raises(ValueError, match="colour"):
        await records.change(kept.task_id, {"message": "1/3 devices done", "colour": "red"})
    assert await records.read(kept.task_id) == kept


async def test_a_record_is_gone_once_its_ttl_has_passed_and_a_change_does_not_bring_it_back(
    records: TaskRecords,
) -> None:
    kept = record(ttl_ms=50)
    await records.add(kept)
    deadline = time.monotonic() + 5
    while await records.read(kept.task_id) is not None:
        assert time.monotonic() < deadline, "the record outlived its ttl"
        await asyncio.sleep(0.01)
    assert not await records.change(kept.task_id, {"message": "1/3 devices done"})
    assert await records.read(kept.task_id) is None


async def test_the_ttl_counts_from_the_records_creation_not_from_when_it_was_added(
    records: TaskRecords,
) -> None:
    created = time.time() - 120
    late = record(created_at=created, updated_at=created, ttl_ms=60_000)
    await records.add(late)  # added a minute after its ttl ended
    assert await records.read(late.task_id) is None
    kept = record(created_at=created, updated_at=created, ttl_ms=3_600_000)
    await records.add(kept)
    assert await records.read(kept.task_id) == kept


async def test_an_empty_change_applies_nothing(records: TaskRecords) -> None:
    kept = record()
    await records.add(kept)
    assert not await records.change(kept.task_id, {})
    assert await records.read(kept.task_id) == kept
