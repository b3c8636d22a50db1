"""Snapshots: equal passes, a change fails with the tool named, UPDATE_SNAPSHOTS=1 rewrites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_testkit.snapshot import UPDATE_ENV, check_snapshot


@pytest.fixture(autouse=True)
def no_update(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UPDATE_ENV, raising=False)


def test_an_equal_interface_passes(tmp_path: Path) -> None:
    path = tmp_path / "tools.json"
    path.write_text(json.dumps({"a": {"x": 1}}))
    check_snapshot({"a": {"x": 1}}, path)


def test_a_changed_tool_is_named(tmp_path: Path) -> None:
    path = tmp_path / "tools.json"
    path.write_text(json.dumps({"a": {"x": 1}, "b": {"x": 1}}))
    with pytest.raises(AssertionError, match="'b' changed"):
        check_snapshot({"a": {"x": 1}, "b": {"x": 2}}, path)
    with pytest.raises(AssertionError, match="added or removed"):
        check_snapshot({"a": {"x": 1}}, path)


def test_a_list_snapshot_compares_whole(tmp_path: Path) -> None:
    path = tmp_path / "tools.json"
    path.write_text(json.dumps([{"name": "a"}]))
    check_snapshot([{"name": "a"}], path)
    with pytest.raises(AssertionError, match="tool schemas changed"):
        check_snapshot([{"name": "b"}], path)


def test_a_missing_snapshot_fails_with_the_hint(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=UPDATE_ENV):
        check_snapshot({}, tmp_path / "none.json")


def test_update_rewrites_the_file_and_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(UPDATE_ENV, "1")
    path = tmp_path / "snapshots" / "tools.json"
    with pytest.raises(pytest.skip.Exception):
        check_snapshot({"b": 1, "a": 2}, path)
    assert path.read_text() == '{\n  "a": 2,\n  "b": 1\n}\n'
