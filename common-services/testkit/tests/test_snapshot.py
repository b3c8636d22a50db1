"""Snapshots: equal passes, a change fails with the tool named, UPDATE_SNAPSHOTS=1 rewrites;
every published tool is described; a server's interface is read without reaching anything."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from mcp_common.testing import StaticAuthorizer, StaticSecretStore, StaticVerifier
from platform_testkit.snapshot import (
    OFFLINE_SETTINGS,
    UPDATE_ENV,
    assert_every_tool_described,
    check_snapshot,
    offline_interface,
)


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


def described_tool(**changes: Any) -> dict[str, Any]:
    """A tool as `published_tools` lists it, every part described, with `changes`."""
    tool: dict[str, Any] = {
        "name": "get_thing",
        "title": "Get a thing",
        "description": "One thing by its id.",
        "input_schema": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"thing_id": {"type": "string", "description": "The thing's id."}},
        },
        "output_schema": {"type": "object"},
    }
    return tool | changes


def test_a_described_tool_passes_and_an_undescribed_argument_is_named() -> None:
    assert_every_tool_described([described_tool()])
    bare = {"type": "object", "additionalProperties": False, "properties": {"x": {}}}
    with pytest.raises(AssertionError, match=r"get_thing\.x has no description"):
        assert_every_tool_described([described_tool(input_schema=bare)])
    with pytest.raises(AssertionError, match="get_thing"):
        assert_every_tool_described([described_tool(title=None)])


async def test_an_offline_interface_is_built_from_settings_pointing_nowhere() -> None:
    built: dict[str, Any] = {}

    class NoTools:
        async def list_tools(self, run_middleware: bool) -> list[Any]:
            return []

    def build(settings: dict[str, Any], **contracts: Any) -> Any:
        built.update(settings=settings, **contracts)
        return SimpleNamespace(mcp=NoTools())

    assert await offline_interface(dict, build) == {}
    assert built["settings"] == OFFLINE_SETTINGS
    assert isinstance(built["verifier"], StaticVerifier)
    assert isinstance(built["authorizer"], StaticAuthorizer)
    assert isinstance(built["secrets"], StaticSecretStore)
