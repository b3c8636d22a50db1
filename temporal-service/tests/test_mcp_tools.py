"""McpPlatformTools as an MCP client: answers mapped to typed results, errors classified.

A small real platform server (`static_server`: static token verifier and policy) stands in
for the Catalyst Center and ServiceNow servers here (the end-to-end tests use the real ones):
it answers like them, including their error texts, audit events and HTTP statuses.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import respx
from fastmcp.exceptions import ToolError
from pydantic import Field
from temporalio.testing import ActivityEnvironment

from mcp_common import Principal, Toolset
from mcp_common.errors import AuthenticationError, UpstreamError
from mcp_common.observability import AUDIT_LOGGER, EcsJsonFormatter
from platform_testkit.static_server import static_server
from simulator_kit.serve import BackgroundServer
from temporal_service.activities.mcp_tools import McpPlatformTools, is_transient
from temporal_service.activities.platform import DeploySpec, ToolCallFailed

from .conftest import free_port

TOKEN = "opaque-test-token"
WORKER = Principal(subject="temporal-worker", groups=frozenset({"workers"}), on_behalf_of="alice")


class Tokens:
    """A token source that records what the client did with tokens."""

    def __init__(self, token: str = TOKEN) -> None:
        self.value = token
        self.asked: list[str] = []
        self.invalidated: list[str] = []
        self.resources: list[str] = []

    async def token(self, on_behalf_of: str, resource: str) -> str:
        self.asked.append(on_behalf_of)
        self.resources.append(resource)
        return self.value

    def invalidate(self, on_behalf_of: str, resource: str) -> None:
        self.invalidated.append(on_behalf_of)


def fake_tools() -> Toolset:
    ts = Toolset("fake")

    @ts.tool(action="read")
    async def get_template(template_id: str, include_content: bool = True) -> dict[str, Any]:
        """A template with two versions; "slow" takes half a second."""
        if template_id == "slow":
            await asyncio.sleep(0.5)
        return {
            "id": template_id,
            "name": "NTP-Servers",
            "versions": [{"id": "v1-id", "version": 1}, {"id": "v2-id", "version": 2}],
        }

    @ts.tool(action="read")
    async def get_device(device_id: str = Field(max_length=8)) -> dict[str, Any]:
        """A device (ids longer than 8 characters are invalid arguments)."""
        return {"id": device_id, "hostname": "par-acc-01", "reachability": "Reachable"}

    @ts.tool(action="read")
    async def get_change(change: str) -> dict[str, Any]:
        """A change; some ids fail like the backend does."""
        if change == "busy":
            raise UpstreamError("servicenow returned HTTP 503 Service Unavailable", backend="sn")
        if change == "gone":
            raise ToolError("change gone was not found in ServiceNow")
        return {
            "sys_id": change,
            "number": "CHG0030001",
            "state": "Authorize",
            "approval": "Not Yet Requested",
        }

    @ts.tool(action="read")
    async def search_changes(correlation_id: str, limit: int = 20) -> dict[str, Any]:
        """No change exists yet."""
        return {"total": 0, "offset": 0, "next_offset": None, "changes": []}

    @ts.tool(action="write")
    async def update_change(change: str, state: str | None = None) -> dict[str, Any]:
        """Always rate limited (see the limiter)."""
        return {"sys_id": change}

    @ts.tool(action="execute")
    async def deploy_template(
        template_id: str, device_ids: list[str], params: dict[str, Any], version: int | None = None
    ) -> dict[str, Any]:
        """A partial failure; "slow" takes half a second."""
        if template_id == "slow":
            await asyncio.sleep(0.5)
        return {
            "deployment_id": "dep-1",
            "status": "PARTIAL_FAILURE",
            "summary": "1 of 2",
            "devices": [
                {"hostname": "a", "status": "SUCCESS"},
                {"hostname": "b", "status": "FAILURE"},
            ],
        }

    return ts


class _LimitsUpdates:
    """A rate limiter that refuses every update_change and nothing else."""

    async def hit(self, key: str) -> float:
        return 3.0 if key.endswith(":update_change") else 0.0


class Seen:
    """What reached the server: requests (with their X-Request-ID and client port), audit."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, int]] = []
        self.audit = io.StringIO()

    def wrap(self, app: Any) -> Any:
        async def recording(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                headers = dict(scope["headers"])
                rid = headers.get(b"x-request-id", b"").decode()
                self.requests.append((rid, scope["client"][1]))
            await app(scope, receive, send)

        return recording

    def events(self, action: str) -> list[dict[str, Any]]:
        lines = self.audit.getvalue().splitlines()
        return [e for e in map(json.loads, lines) if e.get("event.action") == action]


@pytest.fixture(scope="module")
def seen() -> Iterator[Seen]:
    recorder = Seen()
    handler = logging.StreamHandler(recorder.audit)
    handler.setFormatter(EcsJsonFormatter())
    audit_logger = logging.getLogger(AUDIT_LOGGER)
    audit_logger.addHandler(handler)
    previous = audit_logger.level
    audit_logger.setLevel(logging.INFO)
    yield recorder
    audit_logger.removeHandler(handler)
    audit_logger.setLevel(previous)


def start_fake(serve: Callable[..., BackgroundServer], seen: Seen) -> BackgroundServer:
    port = free_port()
    server = static_server(
        port,
        name="fake",
        resource="servicenow",
        toolsets=[fake_tools()],
        tokens={TOKEN: WORKER},
        # The policy refuses reading the change called "denied".
        allow=lambda r: r.arguments.get("change") != "denied",
        rate_limiter=_LimitsUpdates(),
    )
    return serve(seen.wrap(server.http_app()), port)


@pytest.fixture(scope="module")
def url(serve: Callable[..., BackgroundServer], seen: Seen) -> str:
    return f"{start_fake(serve, seen).url}/mcp"


Make = Callable[..., McpPlatformTools]


@pytest.fixture
async def tools_for() -> AsyncIterator[Make]:
    """McpPlatformTools(url, tokens, **options), all closed after the test."""
    made: list[McpPlatformTools] = []

    def make(url: str, tokens: Tokens, **kwargs: Any) -> McpPlatformTools:
        made.append(
            McpPlatformTools(catalyst_center_url=url, servicenow_url=url, tokens=tokens, **kwargs)
        )
        return made[-1]

    yield make
    for tools in made:
        await tools.aclose()


def established(port: int) -> int:
    """TCP connections the server on 127.0.0.1:`port` holds open (from /proc/net/tcp)."""
    count = 0
    with open("/proc/net/tcp") as table:
        for line in list(table)[1:]:
            local, state = line.split()[1], line.split()[3]
            count += local == f"0100007F:{port:04X}" and state == "01"
    return count


async def failure(call: Any) -> ToolCallFailed:
    with pytest.raises(ToolCallFailed) as caught:
        await call
    assert TOKEN not in str(caught.value)
    return caught.value


async def test_answers_become_typed_results_with_normalised_states(
    url: str, tools_for: Make
) -> None:
    tokens = Tokens()
    tools = tools_for(url, tokens)
    template = await tools.get_template("t-1", on_behalf_of="alice")
    assert template.version_ids == {1: "v1-id", 2: "v2-id"} and template.versions == [1, 2]
    device = await tools.get_device("d1", on_behalf_of="alice")
    assert (device.hostname, device.reachable) == ("par-acc-01", True)
    change = await tools.get_change("sys-1", on_behalf_of="alice")
    assert (change.state, change.approval) == ("authorize", "not requested")
    assert await tools.find_change("wf-1", on_behalf_of="alice") is None
    outcome = await tools.deploy_template(
        DeploySpec("t-1", ["d1", "d2"], {}, 2), on_behalf_of="alice"
    )
    assert (outcome.status, outcome.failed_devices) == ("PARTIAL_FAILURE", ["b"])
    assert set(tokens.asked) == {"alice"} and tokens.invalidated == []
    assert set(tokens.resources) == {url}  # each server's resource: here, the URL called


async def test_one_deployment_is_one_pooled_post_per_call_without_session_or_listing(
    url: str, seen: Seen, tools_for: Make
) -> None:
    tools = tools_for(url, Tokens())
    before_requests = len(seen.requests)
    before_lists = len(seen.events("authorization.list_tools"))
    for _ in range(3):
        await tools.get_template("t-1", on_behalf_of="alice")
        await tools.get_change("sys-1", on_behalf_of="alice")
        await tools.deploy_template(DeploySpec("t-1", ["d1"], {}, 2), on_behalf_of="alice")
    requests = seen.requests[before_requests:]
    assert len(requests) == 9  # no initialize, no tools/list, no session DELETE
    # Catalyst Center, ServiceNow and the deploy pool: at most one connection each, reused.
    assert len({port for _, port in requests}) <= 3
    assert len(seen.events("authorization.list_tools")) == before_lists


async def test_calls_from_an_activity_carry_the_workflow_and_attempt_as_request_id(
    url: str, seen: Seen, tools_for: Make
) -> None:
    tools = tools_for(url, Tokens())
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info, workflow_id="template-deployment-abc", activity_type="open_change", attempt=2
    )
    await env.run(tools.get_change, "sys-1", on_behalf_of="alice")
    expected = "template-deployment-abc-open-change-attempt2"
    assert seen.requests[-1][0] == expected
    # ... and the server's own audit lines carry it: one deployment can be followed.
    decisions = seen.events("authorization.decision")
    assert decisions[-1]["trace.id"] == expected


@pytest.mark.parametrize(
    ("change", "retryable"),
    [("denied", False), ("gone", False), ("busy", True)],
)
async def test_tool_errors_are_refusals_unless_they_say_the_failure_may_pass(
    url: str, change: str, retryable: bool, tools_for: Make
) -> None:
    tokens = Tokens()
    caught = await failure(tools_for(url, tokens).get_change(change, on_behalf_of="alice"))
    assert caught.retryable is retryable and caught.tool == "get_change"
    assert tokens.invalidated == []


async def test_a_policy_denial_says_so(url: str, tools_for: Make) -> None:
    caught = await failure(tools_for(url, Tokens()).get_change("denied", on_behalf_of="alice"))
    assert "Access denied" in str(caught)


async def test_unknown_tools_and_invalid_arguments_are_refusals(url: str, tools_for: Make) -> None:
    tools = tools_for(url, Tokens())
    unknown = await failure(tools.preview_template("t-1", {}, "d1", on_behalf_of="alice"))
    assert not unknown.retryable and "Unknown tool" in str(unknown)
    invalid = await failure(tools.get_device("far-too-long-an-id", on_behalf_of="alice"))
    assert not invalid.retryable and invalid.tool == "get_device"


async def test_a_rate_limited_call_is_retryable(url: str, tools_for: Make) -> None:
    caught = await failure(tools_for(url, Tokens()).update_change("s", on_behalf_of="alice"))
    assert caught.retryable and "Rate limit exceeded" in str(caught)


async def test_a_refused_token_is_dropped_and_the_call_retryable(url: str, tools_for: Make) -> None:
    tokens = Tokens("a-revoked-token")
    caught = await failure(tools_for(url, tokens).get_change("sys-1", on_behalf_of="alice"))
    assert caught.retryable and tokens.invalidated == ["alice"]
    assert "a-revoked-token" not in str(caught)


async def test_an_unreachable_server_is_retryable_and_keeps_the_token(tools_for: Make) -> None:
    tokens = Tokens()
    tools = tools_for(f"http://127.0.0.1:{free_port()}/mcp", tokens)
    caught = await failure(tools.get_change("sys-1", on_behalf_of="alice"))
    assert caught.retryable and tokens.invalidated == []
    assert "unreachable" in str(caught)


async def test_a_wrong_endpoint_is_a_refusal(url: str, tools_for: Make) -> None:
    tools = tools_for(url.removesuffix("/mcp") + "/nothing-here", Tokens())
    caught = await failure(tools.get_change("sys-1", on_behalf_of="alice"))
    assert not caught.retryable and "endpoint not found" in str(caught)


async def test_only_the_deploy_call_may_take_the_long_timeout(url: str, tools_for: Make) -> None:
    tools = tools_for(url, Tokens(), timeout=0.2, deploy_timeout=5)
    outcome = await tools.deploy_template(
        DeploySpec("slow", ["d1"], {}, None), on_behalf_of="alice"
    )
    assert outcome.deployment_id == "dep-1"
    caught = await failure(tools.get_template("slow", on_behalf_of="alice"))
    assert caught.retryable and "did not answer in time" in str(caught)


async def test_token_source_failures_are_classified_before_any_call(
    url: str, tools_for: Make
) -> None:
    class Broken(Tokens):
        def __init__(self, exc: Exception) -> None:
            super().__init__()
            self.exc = exc

        async def token(self, on_behalf_of: str, resource: str) -> str:
            raise self.exc

    refused = Broken(AuthenticationError("the IdP refused the worker's credentials"))
    assert not (await failure(tools_for(url, refused).get_change("s", on_behalf_of="a"))).retryable
    down = Broken(UpstreamError("IdP unreachable", backend="idp"))
    assert (await failure(tools_for(url, down).get_change("s", on_behalf_of="a"))).retryable


GATEWAY = "http://mcp.test/mcp"


@respx.mock
@pytest.mark.parametrize(
    ("answer", "retryable"),
    [
        (httpx.Response(500), True),  # upstream_error
        (httpx.Response(502), True),  # unavailable
        (httpx.Response(429, headers={"Retry-After": "2"}), True),  # rate_limited
        (httpx.Response(200, content=b"<html>not json"), True),  # protocol
        (httpx.Response(403), False),  # forbidden (host or origin check)
        (httpx.Response(413), False),  # too_large
    ],
)
async def test_answers_a_real_server_does_not_give_map_to_retry_or_refusal(
    answer: httpx.Response, retryable: bool, tools_for: Make
) -> None:
    respx.post(GATEWAY).mock(return_value=answer)
    tokens = Tokens()
    # respx mocks httpx's own (httpcore) transport, not the default aiohttp pool.
    tools = tools_for(GATEWAY, tokens, transport=httpx.AsyncHTTPTransport())
    caught = await failure(tools.get_change("s", on_behalf_of="alice"))
    assert caught.retryable is retryable and tokens.invalidated == []


async def test_connections_stay_open_between_calls_and_aclose_closes_them(
    serve: Callable[..., BackgroundServer], tools_for: Make
) -> None:
    server = start_fake(serve, Seen())  # its own server: only this test's connections
    tools = tools_for(f"{server.url}/mcp", Tokens())
    await tools.get_change("sys-1", on_behalf_of="alice")
    await tools.deploy_template(DeploySpec("t-1", ["d1"], {}, None), on_behalf_of="alice")
    await tools.get_change("sys-1", on_behalf_of="alice")
    assert established(server.port) == 2  # ServiceNow's pool and the deploy pool, kept alive
    await tools.aclose()
    for _ in range(100):
        if established(server.port) == 0:
            break
        await asyncio.sleep(0.02)
    assert established(server.port) == 0


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
    with pytest.raises(ValueError, match="positive"):
        McpPlatformTools(
            catalyst_center_url="http://a",
            servicenow_url="http://a",
            tokens=Tokens(),
            deploy_timeout=-1,
        )
