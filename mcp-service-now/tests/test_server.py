"""The server as deployed: `build(settings)`, the real policy, OpenBao secrets, over HTTP."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mcp_common.observability import configure_logging
from mcp_service_now.server import INSTRUCTIONS, SERVER
from mcp_service_now.settings import ServiceNowSettings
from platform_testkit import capture_logs

ALL_TOOLS = {
    "search_incidents", "get_incident", "create_incident", "update_incident",
    "resolve_incident", "search_changes", "get_change", "get_change_approvals",
    "create_change", "update_change", "lookup_ci", "get_ci_relations",
}  # fmt: skip
READ_TOOLS = {
    "search_incidents", "get_incident", "search_changes", "get_change", "get_change_approvals",
    "lookup_ci", "get_ci_relations",
}  # fmt: skip
# A valid call of every tool, for the policy tests.
CALLS: dict[str, dict[str, Any]] = {
    "search_incidents": {},
    "get_incident": {"incident": "INC0010001"},
    "create_incident": {"short_description": "Printer on fire"},
    "update_incident": {"incident": "INC0010001", "work_notes": "looking"},
    "resolve_incident": {"incident": "INC0010001", "close_code": "Solution provided",
                         "close_notes": "rebooted"},
    "search_changes": {},
    "get_change": {"change": "CHG0030001"},
    "get_change_approvals": {"change": "CHG0030001"},
    "create_change": {"short_description": "x", "implementation_plan": "a",
                      "backout_plan": "b"},
    "update_change": {"change": "CHG0030001", "work_notes": "n"},
    "lookup_ci": {"name": "par-core"},
    "get_ci_relations": {"ci": "par-core-01"},
}  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def log_stream() -> Iterator[io.StringIO]:
    """Every log line of this module, at DEBUG, to check what is (not) logged."""
    with capture_logs(configure_logging, "mcp-service-now") as stream:
        yield stream


def test_defaults_match_the_deployment() -> None:
    settings = ServiceNowSettings(oidc_issuer="http://127.0.0.1:1", oidc_audience="a",
                                  secrets_backend="file", secrets_file="/dev/null")  # fmt: skip
    assert settings.port == 8080 and settings.service_name == "mcp-service-now"
    assert settings.secret_path == "api/servicenow"
    assert (SERVER.name, SERVER.resource) == ("servicenow", "servicenow")


@pytest.mark.parametrize("identity", ["service-desk", "admin"])
async def test_service_desk_and_admin_see_every_tool(stack: Any, identity: str) -> None:
    async with stack.client(identity) as c:
        tools = {t.name: t for t in await c.list_tools()}
    assert set(tools) == ALL_TOOLS
    assert {n for n, t in tools.items() if t.annotations.read_only_hint} == READ_TOOLS
    assert not any("approve" in name or "reject" in name for name in tools)


# Network engineers file and follow the change records of their own changes, nothing else.
CHANGE_TOOLS = {
    "search_changes", "get_change", "get_change_approvals", "create_change", "update_change"
}  # fmt: skip


@pytest.mark.parametrize("identity", ["developer", "unknown"])
async def test_other_groups_see_no_servicenow_tool(stack: Any, identity: str) -> None:
    async with stack.client(identity) as c:
        assert await c.list_tools() == []


@pytest.mark.parametrize("identity", ["network-engineer", "network-engineer-mfa"])
async def test_network_engineers_see_the_change_record_tools_only(
    stack: Any, identity: str
) -> None:
    async with stack.client(identity) as c:
        assert {t.name for t in await c.list_tools()} == CHANGE_TOOLS


@pytest.mark.parametrize("identity", ["network-engineer", "developer", "unknown"])
async def test_other_groups_are_denied_every_call_before_servicenow_is_reached(
    stack: Any, fresh: Any, identity: str
) -> None:
    fresh.clear_stats()
    for tool, args in CALLS.items():
        if identity == "network-engineer" and tool in CHANGE_TOOLS:
            continue
        message = await stack.error(tool, args, identity)
        assert "Access denied" in message and "servicenow" in message, (tool, message)
    assert fresh.stats()["total"] == 0


async def test_service_desk_may_call_every_tool_and_each_call_reaches_servicenow(
    stack: Any, fresh: Any
) -> None:
    fresh.clear_stats()
    created = None
    for tool, args in CALLS.items():
        if tool == "update_change":  # the seeded change is closed, hence read-only
            args = {**args, "change": created}
        before = fresh.stats()["total"]
        result = await stack.data(tool, args)  # AssertionError when the call is refused
        assert result, tool
        assert fresh.stats()["total"] > before, f"{tool} did not reach ServiceNow"
        if tool == "create_change":
            created = result["number"]
    assert created is not None and created.startswith("CHG")


async def test_the_instructions_say_approval_stays_with_people(stack: Any) -> None:
    assert "approval stays with people" in INSTRUCTIONS
    async with stack.client("service-desk") as c:
        assert c.instructions == INSTRUCTIONS


def test_health_and_readiness_are_served(stack: Any) -> None:
    base = stack.url.removesuffix("/mcp")
    assert httpx.get(f"{base}/healthz").json()["service"] == "mcp-service-now"
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200, ready.text


async def test_no_credential_or_token_is_ever_logged(
    stack: Any, fresh: Any, log_stream: io.StringIO
) -> None:
    # Runs last: logins, a token refresh, refusals and errors have all been logged above.
    fresh.expire_tokens()
    await stack.data("get_incident", {"incident": "INC0010001"})
    fresh.fault(path_prefix="/api", status=500)
    await stack.error("get_incident", {"incident": "INC0010001"})
    text = log_stream.getvalue()
    assert "MCP tool executed" in text and "authorization.decision" in text
    for secret in (fresh.password, fresh.client_secret, "access_token", "refresh_token",
                   "Bearer ", "eyJ"):  # fmt: skip
        assert secret not in text, secret
