"""Lifecycle: `with` and `async with` start the thing and always stop it."""

from __future__ import annotations

from typing import Self

import pytest

from simulator_kit.lifecycle import Lifecycle


class _Recorder(Lifecycle):
    def __init__(self) -> None:
        self.calls: list[str] = []

    def start(self) -> Self:
        self.calls.append("start")
        return self

    def stop(self) -> None:
        self.calls.append("stop")


def test_a_with_block_starts_then_stops_even_when_it_raises() -> None:
    recorder = _Recorder()
    with pytest.raises(RuntimeError), recorder as entered:
        assert entered is recorder
        raise RuntimeError("boom")
    assert recorder.calls == ["start", "stop"]


async def test_an_async_with_block_starts_then_stops() -> None:
    recorder = _Recorder()
    async with recorder as entered:
        assert entered is recorder
        assert recorder.calls == ["start"]
    assert recorder.calls == ["start", "stop"]


def test_start_and_stop_must_be_defined() -> None:
    with pytest.raises(TypeError):
        Lifecycle()  # type: ignore[abstract]
