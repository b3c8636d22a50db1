"""The platform's Redis client (`MCP_REDIS_URL`), and the guard that keeps a cancel.

Rate limits, the read cache and task records share state through Redis. redis-py sends
every command under `asyncio.wait_for` (the client's `socket_timeout`), and on Python 3.11
`wait_for` drops a cancel that arrives just as the command was sent: it returns the result
instead (CPython gh-86296, fixed in 3.12). Every Redis call on a request's path therefore
runs inside `cancels_kept()`, so a cancelled request (the client went away, the tool call
was cancelled) stops there instead of running on as if nothing happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mcp_common.errors import ConfigurationError

__all__ = ["cancels_kept", "redis_client"]


def redis_client(url: str, **options: Any) -> Any:
    """A pooled asyncio client for `url`; a command or a connection waits at most 0.5 s.

    `options` go to `redis.asyncio.Redis.from_url` as they are (tests pass a connection
    class).
    """
    try:
        import redis.asyncio as redis
    except ImportError as exc:  # pragma: no cover - redis is a dependency
        raise ConfigurationError("MCP_REDIS_URL needs the 'redis' package") from exc
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5, **options)


@contextmanager
def cancels_kept() -> Iterator[None]:
    """Raise CancelledError when the task was cancelled during the block but the block
    ended without it (the cancel was swallowed on the way), whatever it answered or raised.

    A cancel delivered as usual ends the block with CancelledError, and the block's own
    timeouts withdraw the cancels they made (`uncancel`); so a count of cancel requests
    (`Task.cancelling`) higher at the end than at the start means one was dropped.
    """
    task = asyncio.current_task()
    before = task.cancelling() if task is not None else 0
    try:
        yield
    except Exception:
        if task is not None and task.cancelling() > before:
            raise asyncio.CancelledError from None
        raise
    if task is not None and task.cancelling() > before:
        raise asyncio.CancelledError
