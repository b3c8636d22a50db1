"""Tool declaration: resource/action drive MCP annotations; toolsets refuse mistakes."""

import pytest

from mcp_common.server import Toolset, ToolSpec, tool


def test_read_tool_is_read_only_and_idempotent() -> None:
    spec = ToolSpec(name="list_devices", action="read")
    assert spec.annotations() == {
        "readOnlyHint": True,
        "destructiveHint": False,
        "openWorldHint": True,
        "idempotentHint": True,
    }


def test_write_and_execute_tools_are_destructive_by_default() -> None:
    for action in ("write", "execute"):
        notes = ToolSpec(name="deploy", action=action).annotations()
        assert notes["readOnlyHint"] is False
        assert notes["destructiveHint"] is True
        assert notes["idempotentHint"] is False


def test_explicit_flags_win_over_defaults() -> None:
    spec = ToolSpec(name="preview", action="execute", destructive=False, idempotent=True)
    assert spec.annotations()["destructiveHint"] is False
    assert spec.annotations()["idempotentHint"] is True


def test_unknown_action_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError, match="action must be one of"):
        ToolSpec(name="x", action="delete")


def test_bad_tool_name_is_refused() -> None:
    with pytest.raises(ValueError, match="alphanumeric"):
        ToolSpec(name="rm -rf", action="read")


def test_toolset_collects_declared_tools_in_order() -> None:
    ts = Toolset("inventory")

    @ts.tool(action="read", resource="catalyst-center")
    async def list_devices() -> list[str]:
        return []

    @ts.tool(action="write", name="deploy_template")
    async def deploy() -> str:
        return "ok"

    assert ts.names == ["list_devices", "deploy_template"]
    specs = [spec for _, spec in ts]
    assert specs[0].resource == "catalyst-center"
    assert specs[1].resource is None and specs[1].action == "write"


def test_toolset_refuses_duplicates_and_undeclared_functions() -> None:
    ts = Toolset("x")

    @tool(action="read")
    async def a() -> None: ...

    ts.add(a)
    with pytest.raises(ValueError, match="already has"):
        ts.add(a)

    async def plain() -> None: ...

    with pytest.raises(ValueError, match="not declared"):
        ts.add(plain)
