"""What a middleware asks to happen when a call's work ends later, as a background task."""

from __future__ import annotations

import asyncio
import contextvars

import pytest

from mcp_common.server import run_when_work_ends, when_work_ends


async def test_work_taken_into_the_background_runs_what_the_middlewares_asked_when_it_ends() -> (
    None
):
    ended: list[str] = []

    async def cache_drop() -> None:
        ended.append("cache")

    async def other() -> None:
        ended.append("other")

    async def work() -> None:
        try:
            await asyncio.sleep(0)
        finally:
            await run_when_work_ends()

    with when_work_ends(cache_drop), when_work_ends(other):
        context = contextvars.copy_context()  # as a task store copies the caller's context
    background = asyncio.create_task(work(), context=context)
    assert ended == []  # nothing until the work ends
    await background
    assert ended == ["cache", "other"]


async def test_outside_the_block_nothing_is_asked() -> None:
    ended: list[str] = []

    async def cache_drop() -> None:
        ended.append("cache")

    with when_work_ends(cache_drop):
        pass
    await run_when_work_ends()
    assert ended == []


async def test_a_failing_callback_fails_open_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ended: list[str] = []

    async def broken() -> None:
        raise RuntimeError("redis went away: secret=hunter2")

    async def cache_drop() -> None:
        ended.append("cache")

    with when_work_ends(broken), when_work_ends(cache_drop):
        await run_when_work_ends()
    assert ended == ["cache"]
    assert "end-of-work callback failed" in caplog.text
    assert "hunter2" not in caplog.text
