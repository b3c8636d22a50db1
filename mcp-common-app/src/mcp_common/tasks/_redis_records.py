"""`RedisTaskRecords`: task records shared by every worker process and replica, in Redis.

One hash per task (`<prefix><namespace>:<task id>`) that expires `ttl_ms` after its
creation (Redis key TTL). Changes run as one Lua script, so the check (not terminal, lease
ended) and the write are atomic across processes.

A cancel always reaches the caller (`cancels_kept`, see mcp_common._redis): a task's work
cancelled while it reports progress ends, instead of running on to its deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp_common._redis import cancels_kept
from mcp_common.observability._logging import get_logger
from mcp_common.tasks._records import (
    TaskRecord,
    TaskStoreUnavailable,
    check_changes,
    encode_field,
)

__all__ = ["RedisTaskRecords"]

_log = get_logger(__name__)

# KEYS[1]: the record. ARGV[1]: lease_before ('' for none). ARGV[2..]: field, value, ...
_CHANGE = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
if status == 'completed' or status == 'failed' or status == 'cancelled' then return 0 end
if ARGV[1] ~= '' then
  local lease = tonumber(redis.call('HGET', KEYS[1], 'lease_until')) or 0
  if lease >= tonumber(ARGV[1]) then return 0 end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
"""


class RedisTaskRecords:
    """Records as Redis hashes with a key TTL; every operation one round trip."""

    def __init__(self, redis: Any, *, namespace: str, prefix: str = "mcp:task:") -> None:
        if not namespace:
            raise ValueError("namespace must name the server whose tasks these are")
        self._redis = redis
        self._prefix = f"{prefix}{namespace}:"
        self._change = redis.register_script(_CHANGE)

    async def add(self, record: TaskRecord) -> None:
        """HSET the record and PEXPIREAT it `ttl_ms` after its creation, in one transaction
        (a record added after that is gone at once, as in memory)."""
        key = self._prefix + record.task_id
        try:
            with cancels_kept():
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.hset(key, mapping=record.encode())
                    pipe.pexpireat(key, int(record.created_at * 1000) + record.ttl_ms)
                    await pipe.execute()
        except Exception as exc:
            raise self._unavailable("add", exc) from None

    async def read(self, task_id: str) -> TaskRecord | None:
        """HGETALL; None when the key is gone (or does not hold a record)."""
        try:
            with cancels_kept():
                fields = await self._redis.hgetall(self._prefix + task_id)
        except Exception as exc:
            raise self._unavailable("read", exc) from None
        if not fields:
            return None
        try:
            return TaskRecord.decode(fields)
        except (ValueError, TypeError):
            _log.warning("malformed task record", extra={"task.id": task_id[:80]})
            return None

    async def change(
        self, task_id: str, changes: Mapping[str, Any], *, lease_before: float | None = None
    ) -> bool:
        """The conditional change, as one script."""
        check_changes(changes)
        if not changes:
            return False
        args: list[str] = ["" if lease_before is None else repr(lease_before)]
        for name, value in changes.items():
            args += [name, encode_field(name, value)]
        try:
            with cancels_kept():
                applied = await self._change(keys=[self._prefix + task_id], args=args)
        except Exception as exc:
            raise self._unavailable("change", exc) from None
        return bool(applied)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()

    def _unavailable(self, operation: str, exc: Exception) -> TaskStoreUnavailable:
        _log.warning(
            "task store unavailable (%s)",
            operation,
            extra={"event.action": "task.store.error", "error.type": type(exc).__name__},
        )
        return TaskStoreUnavailable()
