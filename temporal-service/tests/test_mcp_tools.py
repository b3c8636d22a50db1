"""McpPlatformTools as an MCP client: answers mapped to typed results, errors classified.

A small real FastMCP server stands in for the platform's servers here (the end-to-end
tests use the real ones): it answers like them, including their error texts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

from mcp_sandbox.serve import BackgroundServer
from temporal_service.activities.mcp_tools import McpPlatformTools, is_transient
from temporal_service.activities.platform import ToolCallFailed

from .conftest import free_port


class Tokens:
    """A token source that records what the client did with tokens."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.invalidated: list[str] = []

    async def token(self, on_behalf_of: str) -> str:
        self.asked.append(on_behalf_of)
        return "opaque-test-token"

    def invalidate(self, on_behalf_of: str) -> None:
        self.invalidated.append(on_behalf_of)


def fake_servers() -> FastMCP[Any]:
    mcp: FastMCP[Any] = FastMCP("fake")

    @mcp.tool
    def get_template(template_id: str, include_content: bool = True) -> dict[str, Any]:
        return {
            "id": template_id,
            "name": "NTP-Servers",
            "versions": [{"id": "v1-id", "version": 1}, {"id": "v2-id", "version": 2}],
        }

    @mcp.tool
    def get_change(change: str) -> dict[str, Any]:
        if change == "denied":
            raise ToolError("Access denied: action 'read' on resource 'servicenow'")
        if change == "busy":
            raise ToolError("servicenow returned HTTP 503 Service Unavailable")
        return {
            "sys_id": change,
            "number": "CHG0030001",
            "state": "Authorize",
            "approval": "Not Yet Requested",
        }

    @mcp.tool
    def search_changes(correlation_id: str, limit: int = 20) -> dict[str, Any]:
        return {"total": 0, "offset": 0, "next_offset": None, "changes": []}

    @mcp.tool
    def deploy_template(
        template_id: str, device_ids: list[str], params: dict[str, Any], version: int | None = None
    ) -> dict[str, Any]:
        return {
            "deployment_id": "dep-1",
            "status": "PARTIAL_FAILURE",
            "summary": "1 of 2",
            "devices": [
                {"hostname": "a", "status": "SUCCESS"},
                {"hostname": "b", "status": "FAILURE"},
            ],
        }

    return mcp


@pytest.fixture(scope="module")
def url(serve: Callable[..., BackgroundServer]) -> str:
    server = serve(fake_servers().http_app(path="/mcp", stateless_http=True))
    return f"{server.url}/mcp"


def tools_for(url: str, tokens: Tokens) -> McpPlatformTools:
    return McpPlatformTools(catalyst_center_url=url, servicenow_url=url, tokens=tokens)


async def test_answers_become_typed_results_with_normalised_states(url: str) -> None:
    tokens = Tokens()
    tools = tools_for(url, tokens)
    template = await tools.get_template("t-1", on_behalf_of="alice")
    assert template.version_ids == {1: "v1-id", 2: "v2-id"} and template.versions == [1, 2]
    change = await tools.get_change("sys-1", on_behalf_of="alice")
    assert (change.state, change.approval) == ("authorize", "not requested")
    assert await tools.find_change("wf-1", on_behalf_of="alice") is None
    outcome = await tools.deploy_template("t-1", ["d1", "d2"], {}, version=2, on_behalf_of="alice")
    assert (outcome.status, outcome.failed_devices) == ("PARTIAL_FAILURE", ["b"])
    assert set(tokens.asked) == {"alice"}


@pytest.mark.parametrize(("change", "retryable"), [("denied", False), ("busy", True)])
async def test_tool_errors_are_refusals_unless_they_say_the_failure_may_pass(
    url: str, change: str, retryable: bool
) -> None:
    with pytest.raises(ToolCallFailed) as caught:
        await tools_for(url, Tokens()).get_change(change, on_behalf_of="alice")
    assert caught.value.retryable is retryable and caught.value.tool == "get_change"


async def test_an_unreachable_server_is_retryable_and_drops_the_token() -> None:
    tokens = Tokens()
    tools = tools_for(f"http://127.0.0.1:{free_port()}/mcp", tokens)
    with pytest.raises(ToolCallFailed) as caught:
        await tools.get_change("sys-1", on_behalf_of="alice")
    assert caught.value.retryable and tokens.invalidated == ["alice"]
    assert "opaque-test-token" not in str(caught.value)


@pytest.mark.parametrize(
    ("message", "transient"),
    [
        ("catalyst-center returned HTTP 503 Service Unavailable", True),
        ("servicenow returned HTTP 429 Too Many Requests", True),
        ("servicenow timed out after 15.0 s", True),
        ("Catalyst Center task 1 did not complete within 120 s", True),
        ("catalyst-center unreachable (connection failed)", True),
        ("Rate limit exceeded for tool 'get_change'; retry in 3 s", True),
        ("Internal error; the platform team can trace it in the logs", True),
        ("Access denied: action 'write' on resource 'catalyst-center'", False),
        ("ServiceNow answered HTTP 400: Invalid state transition", False),
        ("template 1234 was not found in Catalyst Center", False),
        ("Catalyst Center task 9 failed: NETCONF session refused", False),
    ],
)
def test_which_errors_are_transient(message: str, transient: bool) -> None:
    assert is_transient(message) is transient


def test_the_constructor_refuses_bad_urls_and_timeouts() -> None:
    with pytest.raises(ValueError, match="catalyst_center_url"):
        McpPlatformTools(catalyst_center_url="x", servicenow_url="http://a", tokens=Tokens())
    with pytest.raises(ValueError, match="positive"):
        McpPlatformTools(
            catalyst_center_url="http://a", servicenow_url="http://a", tokens=Tokens(), timeout=0
        )
