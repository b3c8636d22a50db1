"""`InMemoryTaskRecords`: task records of one process (development, or no Redis configured)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from typing import Any

from mcp_common.tasks._records import TaskRecord, check_changes

__all__ = ["InMemoryTaskRecords"]


class InMemoryTaskRecords:
    """Records in a dict, each dropped `ttl_ms` after its creation; at most `max_records`.

    Past `max_records`, the oldest finished records go first. Only the process that created
    a task can answer for it: with several worker processes or replicas, use Redis.
    """

    def __init__(self, max_records: int = 10_000) -> None:
        if max_records < 1:
            raise ValueError("max_records must be >= 1")
        self._max = max_records
        self._records: dict[str, TaskRecord] = {}

    async def add(self, record: TaskRecord) -> None:
        """Keep it (dropping expired records, then the oldest finished ones past the bound)."""
        self._purge()
        self._records[record.task_id] = record
        if len(self._records) > self._max:
            finished = sorted(
                (r for r in self._records.values() if r.terminal), key=lambda r: r.created_at
            )
            for old in finished[: len(self._records) - self._max]:
                del self._records[old.task_id]

    async def read(self, task_id: str) -> TaskRecord | None:
        """The record while its ttl lasts."""
        record = self._records.get(task_id)
        if record is None or _expired(record, time.time()):
            self._records.pop(task_id, None)
            return None
        return record

    async def change(
        self, task_id: str, changes: Mapping[str, Any], *, lease_before: float | None = None
    ) -> bool:
        """Apply the changes to an unfinished record (and an ended lease, when asked)."""
        check_changes(changes)
        record = await self.read(task_id)
        if not changes or record is None or record.terminal:
            return False
        if lease_before is not None and record.lease_until >= lease_before:
            return False
        self._records[task_id] = dataclasses.replace(record, **changes)
        return True

    async def aclose(self) -> None:
        """Nothing to release."""

    def _purge(self) -> None:
        now = time.time()
        for task_id in [t for t, r in self._records.items() if _expired(r, now)]:
            del self._records[task_id]


def _expired(record: TaskRecord, now: float) -> bool:
    return record.created_at + record.ttl_ms / 1000 <= now
