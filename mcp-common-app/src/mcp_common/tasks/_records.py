"""Task records: the state of a task run inside a server process, and where it is kept.

A `TaskRecord` is everything `tasks/get` answers from (owner, status, status message,
result or error, timestamps, ttl) plus what the process running the task needs to be
trusted or found out: the `holder` (the store instance running it) and its `lease_until`,
which the holder renews while the work runs. `TaskRecords` keeps records for their ttl;
`InMemoryTaskRecords` serves one process, `RedisTaskRecords` every process and replica.

Changes are conditional: a record in a terminal status (`completed`, `failed`,
`cancelled`) never changes again, so the first terminal status written wins.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from mcp_common.errors import PlatformError
from mcp_common.tasks._wire import TaskStatus

__all__ = ["TERMINAL_STATUSES", "TaskRecord", "TaskRecords", "TaskStoreUnavailable"]

TERMINAL_STATUSES: frozenset[str] = frozenset({"completed", "failed", "cancelled"})
_JSON_FIELDS = frozenset({"result", "error"})
_FLOAT_FIELDS = frozenset({"created_at", "updated_at", "lease_until"})
_INT_FIELDS = frozenset({"ttl_ms", "poll_interval_ms"})


class TaskStoreUnavailable(PlatformError):
    """Where tasks are kept (Redis) did not answer; nothing was created or changed."""

    def __init__(self) -> None:
        super().__init__("the task store is not answering; retry later, or call without tasks")


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """One task run in a server process; times are seconds since the epoch."""

    task_id: str
    tool: str
    owner: str  # the verified subject of the person who created it
    status: TaskStatus
    created_at: float
    updated_at: float
    ttl_ms: int
    poll_interval_ms: int
    holder: str = ""  # the store instance (process) running the work
    lease_until: float = 0.0  # the holder renews it while the work runs
    message: str | None = None  # the status message: progress, or the outcome
    backend_job: str | None = None  # the backend's own job doing the work, when known
    backend_hint: str | None = None  # how to follow that job without the task
    no_return: str | None = None  # set: the work cannot be recalled any more (why)
    cancel_requested: str | None = None  # who asked to cancel, from another process
    cancel_refused: str | None = None  # why a cancel was refused
    result: dict[str, Any] | None = None  # the CallToolResult, when completed
    error: dict[str, Any] | None = None  # the JSON-RPC error, when failed

    @property
    def terminal(self) -> bool:
        """Completed, failed or cancelled: the record will not change again."""
        return self.status in TERMINAL_STATUSES

    def encode(self) -> dict[str, str]:
        """The record as flat string fields (a Redis hash); None is the empty string."""
        return {f.name: encode_field(f.name, getattr(self, f.name)) for f in _FIELDS}

    @classmethod
    def decode(cls, fields: Mapping[Any, Any]) -> TaskRecord:
        """A record from `encode`'s fields (bytes or str); ValueError when one is malformed."""
        text = {_text(k): _text(v) for k, v in fields.items()}
        values: dict[str, Any] = {}
        for field in _FIELDS:
            raw = text.get(field.name, "")
            values[field.name] = decode_field(field.name, raw)
        if not values["task_id"] or values["status"] not in _STATUSES:
            raise ValueError("not a task record")
        return cls(**values)


_FIELDS = dataclasses.fields(TaskRecord)
_FIELD_NAMES = frozenset(f.name for f in _FIELDS)
_STATUSES = frozenset({"working", "input_required", "completed", "failed", "cancelled"})
_REQUIRED_TEXT = frozenset({"task_id", "tool", "owner", "status", "holder"})


def check_changes(changes: Mapping[str, Any]) -> None:
    """ValueError when `changes` names a field a TaskRecord does not have."""
    unknown = set(changes) - _FIELD_NAMES
    if unknown:
        raise ValueError(f"unknown task record fields: {sorted(unknown)}")


def encode_field(name: str, value: Any) -> str:
    """One field as text (JSON for the result and the error)."""
    if value is None:
        return ""
    if name in _JSON_FIELDS:
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def decode_field(name: str, raw: str) -> Any:
    """One field from its text."""
    if name in _FLOAT_FIELDS:
        return float(raw or 0)
    if name in _INT_FIELDS:
        return int(raw or 0)
    if name in _REQUIRED_TEXT:
        return raw
    if not raw:
        return None
    if name in _JSON_FIELDS:
        value = json.loads(raw)
        if not isinstance(value, dict):
            raise ValueError(f"{name} is not an object")
        return value
    return raw


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@runtime_checkable
class TaskRecords(Protocol):
    """Keeps task records for `ttl_ms` after their creation; changes only unfinished ones."""

    async def add(self, record: TaskRecord) -> None:
        """Keep a new record (TaskStoreUnavailable when it cannot)."""
        ...

    async def read(self, task_id: str) -> TaskRecord | None:
        """The record, or None when there is none (never was, or expired)."""
        ...

    async def change(
        self, task_id: str, changes: Mapping[str, Any], *, lease_before: float | None = None
    ) -> bool:
        """Apply `changes` (field -> value) unless the record is gone or terminal.

        With `lease_before`, only when the record's lease ended before that time (so a
        holder that renewed it meanwhile wins). True when the change was applied (an empty
        one applies nothing: False).
        """
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
