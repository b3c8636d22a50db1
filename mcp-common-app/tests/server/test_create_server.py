"""`create_server` assembly rules, in process: read-only builds, middleware order, fail closed."""

from __future__ import annotations

from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from mcp_common import CommonSettings, Principal, Toolset, create_server
from mcp_common.auth import PlatformAccessToken
from mcp_common.testing import StaticAuthorizer, StaticSecretStore, StaticVerifier


def settings(**overrides: Any) -> CommonSettings:
    return CommonSettings(
        oidc_issuer="http://127.0.0.1:1",
        oidc_audience="test",
        secrets_backend="file",
        secrets_file="unused.json",
        rate_limit_per_minute=0,
        **overrides,
    )


def toolset() -> Toolset:
    ts = Toolset("t")

    @ts.tool(action="read")
    async def look() -> str:
        """Reads."""
        return "looked"

    @ts.tool(action="write")
    async def change() -> str:
        """Writes."""
        return "changed"

    @ts.tool(action="execute")
    async def run() -> str:
        """Executes."""
        raise RuntimeError("boom with password=hunter2")

    return ts


def build(authorizer: StaticAuthorizer | None = None, **overrides: Any):
    return create_server(
        settings(**overrides),
        name="t",
        resource="catalyst-center",
        toolsets=[toolset()],
        verifier=StaticVerifier({}),
        authorizer=authorizer or StaticAuthorizer(),
        secrets=StaticSecretStore({}),
    )


async def test_read_only_builds_do_not_register_write_or_execute_tools(as_alice: None) -> None:
    platform = build(read_only=True)
    assert set(platform.specs) == {"look"}
    async with Client(platform.mcp) as client:
        assert {t.name for t in await client.list_tools()} == {"look"}
        with pytest.raises(ToolError, match="Unknown tool"):
            await client.call_tool("change", {})


async def test_duplicate_tool_names_across_toolsets_are_refused() -> None:
    with pytest.raises(ValueError, match="same name"):
        create_server(
            settings(),
            name="t",
            resource="r",
            toolsets=[toolset(), toolset()],
            verifier=StaticVerifier({}),
            authorizer=StaticAuthorizer(),
            secrets=StaticSecretStore({}),
        )


@pytest.fixture
def as_alice(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process calls carry no HTTP token: stand one in for the middleware."""
    token = PlatformAccessToken(token="x", client_id="alice", scopes=[], subject="alice")
    token._principal = Principal("alice", frozenset({"network-engineers"}), mfa=True)
    monkeypatch.setattr("mcp_common.auth._fastmcp.get_access_token", lambda: token)


async def test_an_engine_failure_denies_every_call(as_alice: None) -> None:
    authorizer = StaticAuthorizer()
    authorizer.fail = True
    async with Client(build(authorizer).mcp) as client:
        assert await client.list_tools() == []
        with pytest.raises(ToolError, match="Access denied: action 'read'"):
            await client.call_tool("look", {})


async def test_an_unexpected_tool_failure_leaks_nothing(as_alice: None) -> None:
    async with Client(build().mcp) as client:
        with pytest.raises(ToolError) as caught:
            await client.call_tool("run", {})
    assert "hunter2" not in str(caught.value) and "RuntimeError" not in str(caught.value)


async def test_the_policy_sees_who_what_and_which_tool(as_alice: None) -> None:
    authorizer = StaticAuthorizer()
    async with Client(build(authorizer).mcp) as client:
        assert (await client.call_tool("change", {})).data == "changed"
    request = [r for r in authorizer.requests if r.tool == "change"][-1]
    assert (request.principal.subject, request.resource, request.action, request.tool) == (
        "alice",
        "catalyst-center",
        "write",
        "change",
    )
