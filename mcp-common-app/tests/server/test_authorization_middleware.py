"""AuthorizationMiddleware: policy decides every call and what tools/list shows; fails closed."""

from __future__ import annotations

from typing import Any

from fastmcp import Client

from mcp_common.policy import AuthorizationRequest
from mcp_common.testing import StaticAuthorizer


def engineers_write(request: AuthorizationRequest) -> bool:
    """Everyone reads; only network engineers write."""
    return request.action == "read" or "network-engineers" in request.principal.groups


async def test_tools_list_shows_only_what_the_caller_may_call(
    connect: Any, start_server: Any
) -> None:
    url = start_server(authorizer=StaticAuthorizer(engineers_write))
    async with connect(url, "alice-token") as alice, connect(url, "bob-token") as bob:
        assert "change" in {t.name for t in await alice.list_tools()}
        seen_by_bob = {t.name for t in await bob.list_tools()}
    assert "change" not in seen_by_bob and "whoami" in seen_by_bob


async def test_the_policy_sees_who_which_server_resource_action_tool_and_arguments(
    connect: Any, start_server: Any
) -> None:
    authorizer = StaticAuthorizer(engineers_write)
    url = start_server(authorizer=authorizer)
    async with connect(url, "alice-token") as alice:
        assert (await alice.call_tool("change", {"line": "ntp server 10.0.0.1"})).data
    request = [r for r in authorizer.requests if r.tool == "change"][-1]
    assert (request.principal.subject, request.server, request.resource, request.action) == (
        "alice",
        "demo-server",
        "demo",
        "write",
    )
    assert request.arguments == {"line": "ntp server 10.0.0.1"}


async def test_a_refused_call_never_reaches_the_tool(connect: Any, start_server: Any) -> None:
    url = start_server(authorizer=StaticAuthorizer(engineers_write))
    async with connect(url, "bob-token") as bob:
        result = await bob.call_tool("change", {"line": "x"}, raise_on_error=False)
    assert result.is_error and result.content[0].text.startswith("Access denied")


async def test_an_engine_failure_denies_everything(connect: Any, start_server: Any) -> None:
    authorizer = StaticAuthorizer()
    authorizer.fail = True
    url = start_server(authorizer=authorizer)
    async with connect(url, "alice-token") as alice:
        assert await alice.list_tools() == []
        result = await alice.call_tool("whoami", {}, raise_on_error=False)
    assert (
        result.content[0].text == "Access denied: action 'read' on resource 'demo' (tool 'whoami')"
    )


async def test_without_a_caller_nothing_is_shown_and_nothing_may_be_called(
    build_demo: Any,
) -> None:
    # In process there is no HTTP request, hence no token: the chain refuses, it does not crash.
    async with Client(build_demo().mcp) as anonymous:
        assert await anonymous.list_tools() == []
        result = await anonymous.call_tool("whoami", {}, raise_on_error=False)
    assert result.content[0].text.startswith("Access denied: action 'read'")
