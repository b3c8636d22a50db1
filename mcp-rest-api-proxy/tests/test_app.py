"""The proxy end to end: real issuer, real policy, real MCP servers, every error status.

Servers behind the proxy: `demo` (resource catalyst-center: developers may not use it),
`github` (the developers' resource), `limited` (a server-side rate limit of 2 calls a
minute), `sluggish` (the demo server through a 0.5 s upstream timeout) and `offline`
(a closed port).
"""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dev_idp import IdpServer
from dev_idp.identities import subject_for
from mcp_common.client import McpClient
from mcp_common.observability import EcsJsonFormatter
from mcp_rest_api_proxy import ProxySettings, ServerRegistry, create_app
from simulator_kit.serve import BackgroundServer

sys.path.insert(0, str(Path(__file__).parent))
from proxy_stack import (
    ProxyStack,
    closed_port,
    demo_tools,
    exchanger,
    free_port,
    github_tools,
    limited_tools,
    start_server,
)

PROBLEM = "application/problem+json"
DEMO_TOOLS = {
    "whoami", "echo", "count_matches", "shout", "change_config", "fail", "slow", "run_show",
    "backend_down",
}  # fmt: skip


@pytest.fixture(scope="module")
def logs() -> Iterator[io.StringIO]:
    """Every log line of this module, formatted as shipped (ECS JSON)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(EcsJsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """The JSON log lines written so far."""
    return [json.loads(x) for x in stream.getvalue().splitlines() if x.startswith("{")]


@pytest.fixture(scope="module")
def stack(
    idp: IdpServer,
    serve: Callable[..., BackgroundServer],
    policy_path: Path,
    logs: io.StringIO,
) -> ProxyStack:
    demo = start_server(
        serve, idp, policy_path, name="demo", resource="catalyst-center", toolsets=[demo_tools()]
    )
    github = start_server(
        serve, idp, policy_path, name="github", resource="github", toolsets=[github_tools()]
    )
    limited = start_server(
        serve,
        idp,
        policy_path,
        name="limited",
        resource="github",
        toolsets=[limited_tools()],
        rate_limit_per_minute=2,
    )
    port = free_port()
    settings = ProxySettings(
        port=port,
        oidc_issuer=idp.issuer,
        policy_path=str(policy_path),
        exchange_client_secret=idp.secret("rest-api-proxy"),
    )

    def client(name: str, url: str, **kwargs: Any) -> McpClient:
        return McpClient(name, url, **kwargs)

    registry = ServerRegistry(
        {
            "demo": client("demo", demo.url),
            "github": client("github", github.url),
            "limited": client("limited", limited.url),
            "sluggish": client("sluggish", demo.url, timeout=0.5),
            "offline": client("offline", f"http://127.0.0.1:{closed_port()}/mcp"),
        },
        exchanger=exchanger(idp),
    )
    proxy = serve(create_app(settings, registry=registry), port)
    assert proxy.url == settings.token_audience  # callers' tokens are for the proxy only
    servers = {s.name: s for s in (demo, github, limited)}
    return ProxyStack(proxy.url, idp, servers)


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem with `status`; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "request_id"} <= set(body)
    assert body["status"] == status and body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return body


# --- the reference routes and shapes --------------------------------------------------------
def test_servers_lists_every_configured_server_with_its_health(stack: ProxyStack) -> None:
    response = stack.get("/api/v1/mcp/servers")
    assert response.status_code == 200
    servers = {s["name"]: s["status"] for s in response.json()["servers"]}
    assert servers == {
        "demo": "up",
        "github": "up",
        "limited": "up",
        "sluggish": "up",
        "offline": "down",
    }


def test_tools_have_the_reference_shape(stack: ProxyStack) -> None:
    body = stack.get("/api/v1/mcp/demo/tools").json()
    assert body["server"] == "demo"
    tools = {t["name"]: t for t in body["tools"]}
    assert set(tools) == DEMO_TOOLS
    echo = tools["echo"]
    assert {"name", "description", "inputSchema", "annotations", "outputSchema"} <= set(echo)
    assert echo["inputSchema"]["required"] == ["text"]
    assert echo["annotations"]["readOnlyHint"] is True
    # Plain results are unwrapped: outputSchema describes the call's `result` as returned.
    assert tools["shout"]["outputSchema"] == {"type": "string"}


def test_a_call_returns_the_structured_result(stack: ProxyStack) -> None:
    response = stack.call("demo", "echo", {"text": "hi", "times": 2})
    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "result": {"text": "hi", "times": 2},
        "server": "demo",
        "tool": "echo",
    }


def test_plain_results_are_returned_as_such(stack: ProxyStack) -> None:
    assert stack.call("demo", "shout", {"text": "hi"}).json()["result"] == "HI"
    nested = {"where": {"field": "site", "values": ["a", "b"]}}
    assert stack.call("demo", "count_matches", nested).json()["result"] == 2


def test_the_callers_identity_reaches_the_mcp_server(stack: ProxyStack) -> None:
    result = stack.call("demo", "whoami").json()["result"]
    assert result == {"subject": subject_for("admin"), "groups": ["admin"]}


# --- identity and policy ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("identity", "server", "expected"),
    [
        ("admin", "demo", DEMO_TOOLS),
        ("developer", "demo", set()),
        ("admin", "github", {"list_repos", "create_issue"}),
        ("developer", "github", {"list_repos", "create_issue"}),
    ],
)
def test_tool_lists_show_only_what_the_caller_may_call(
    stack: ProxyStack, identity: str, server: str, expected: set[str]
) -> None:
    response = stack.get(f"/api/v1/mcp/{server}/tools", identity)
    assert {t["name"] for t in response.json()["tools"]} == expected


def test_developer_and_service_desk_get_different_answers_from_the_same_routes(
    stack: ProxyStack,
) -> None:
    tools_dev = stack.get("/api/v1/mcp/github/tools", "developer")
    tools_desk = stack.get("/api/v1/mcp/github/tools", "service-desk")
    assert tools_dev.status_code == 200 and tools_dev.json()["tools"]
    # service-desk may use the proxy, but the github server shows it nothing ...
    assert tools_desk.status_code == 200 and tools_desk.json()["tools"] == []
    call_dev = stack.call("github", "list_repos", {"org": "acme"}, "developer")
    assert call_dev.json()["result"] == ["acme/platform", "acme/docs"]
    # ... so for it the tool does not exist (the proxy knows only what the caller sees).
    hidden = problem(stack.call("github", "list_repos", {"org": "acme"}, "service-desk"), 404)
    assert "not visible to you" in hidden["detail"]
    # On the demo server (resource catalyst-center) it is the other way round.
    desk_demo = stack.get("/api/v1/mcp/demo/tools", "service-desk")
    assert {t["name"] for t in desk_demo.json()["tools"]} >= {"whoami"}
    assert stack.get("/api/v1/mcp/demo/tools", "developer").json()["tools"] == []


def test_a_caller_without_proxy_access_causes_no_upstream_call(stack: ProxyStack) -> None:
    before = stack.servers["github"].counter.calls
    problem(stack.call("github", "list_repos", {"org": "acme"}, "network-engineer"), 403)
    assert stack.servers["github"].counter.calls == before


def test_a_tool_the_server_hides_from_the_caller_is_404_and_never_called(
    stack: ProxyStack,
) -> None:
    # developers may use the proxy, not the catalyst-center resource behind `demo`: its
    # tools/list (with their exchanged token) shows them nothing, so nothing is called.
    before = stack.servers["demo"].counter.calls
    body = problem(stack.call("demo", "whoami", {}, "developer"), 404)
    assert body["type"].endswith("unknown-tool") and body["tool"] == "whoami"
    assert stack.servers["demo"].counter.calls == before


def test_the_servers_audit_events_name_the_real_user(stack: ProxyStack, logs: io.StringIO) -> None:
    stack.call("github", "create_issue", {"repo": "acme/platform", "title": "x"}, "developer")
    decisions = [
        x
        for x in lines(logs)
        if x.get("event.action") == "authorization.decision"
        and x.get("authz.resource") == "github"
        and x.get("authz.tool") == "create_issue"
    ]
    assert decisions, "the github server wrote no audit event"
    assert decisions[-1]["user.id"] == subject_for("developer")
    assert decisions[-1]["authz.decision"] == "allow"


# --- every error status ------------------------------------------------------------------------
def test_no_token_is_401_with_a_bearer_challenge(stack: ProxyStack) -> None:
    body = problem(stack.get("/api/v1/mcp/servers", None), 401)
    assert "bearer token is required" in body["detail"]
    response = stack.call("demo", "echo", {"text": "x"}, None)
    assert response.headers["www-authenticate"].startswith("Bearer realm=")


@pytest.mark.parametrize("kind", ["garbage", "expired", "wrong-audience"])
def test_a_bad_token_is_401_and_nothing_is_forwarded(
    stack: ProxyStack, idp: IdpServer, kind: str
) -> None:
    token = {
        "garbage": "not-a-token",
        "expired": idp.mint("admin", exp=int(time.time()) - 600, iat=int(time.time()) - 900),
        "wrong-audience": idp.mint("admin", aud="another-api"),
    }[kind]
    before = stack.servers["demo"].counter.calls
    response = httpx.post(
        f"{stack.url}/api/v1/mcp/demo/tools/echo",
        json={"arguments": {"text": "x"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    problem(response, 401)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert stack.servers["demo"].counter.calls == before


def test_unknown_server_and_unknown_tool_are_404(stack: ProxyStack) -> None:
    assert problem(stack.get("/api/v1/mcp/nowhere/tools"), 404)["type"].endswith("server")
    body = problem(stack.call("demo", "format_disk"), 404)
    assert "format_disk" in body["detail"] and body["type"].endswith("unknown-tool")


@pytest.mark.parametrize(
    ("arguments", "where"),
    [
        ({"text": 3}, "arguments/text"),
        ({}, "arguments"),
        ({"text": "x", "extra": 1}, "arguments"),
        ({"text": "x", "times": 9}, "arguments/times"),
    ],
    ids=["wrong-type", "missing-required", "unknown-property", "out-of-range"],
)
def test_arguments_not_matching_the_schema_are_422_before_any_call(
    stack: ProxyStack, arguments: dict[str, Any], where: str
) -> None:
    before = stack.servers["demo"].counter.calls
    body = problem(stack.call("demo", "echo", arguments), 422)
    assert body["errors"][0]["path"] == where
    assert stack.servers["demo"].counter.calls == before


def test_nested_arguments_are_checked_against_their_definitions(stack: ProxyStack) -> None:
    body = problem(stack.call("demo", "count_matches", {"where": {"field": ""}}), 422)
    assert body["errors"][0]["path"] == "arguments/where/field"


@pytest.mark.parametrize("raw", [b"{not json", b'{"arguments": [1, 2]}', b"[]"])
def test_a_body_that_is_not_a_tool_call_is_422(stack: ProxyStack, raw: bytes) -> None:
    response = httpx.post(
        f"{stack.url}/api/v1/mcp/demo/tools/echo", content=raw, headers=stack.headers("admin")
    )
    assert "arguments" in problem(response, 422)["detail"]


def test_a_server_side_rate_limit_is_429_with_retry_after(stack: ProxyStack) -> None:
    answers = [stack.call("limited", "ping", {}, "developer") for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    body = problem(answers[2], 429)
    assert int(answers[2].headers["retry-after"]) >= 1
    assert "Rate limit exceeded" in body["detail"]


def test_a_failing_tool_is_502_with_the_tools_message(stack: ProxyStack) -> None:
    body = problem(stack.call("demo", "fail"), 502)
    assert body["detail"] == "inventory returned HTTP 500 Internal Server Error: disk on fire"


# --- hardening: ambiguous requests, hostile bodies, tools refusing input, open circuits ---------
def _raw_post(stack: ProxyStack, path: str, content: bytes, headers: Any) -> httpx.Response:
    return httpx.post(f"{stack.url}{path}", content=content, headers=headers, timeout=10)


@pytest.mark.parametrize("order", ["valid-first", "valid-second"])
def test_two_authorization_headers_are_400_never_first_one_wins(
    stack: ProxyStack, order: str
) -> None:
    valid = ("Authorization", f"Bearer {stack.token('admin')}")
    other = ("Authorization", f"Bearer {stack.token('developer')}")
    headers = [valid, other] if order == "valid-first" else [other, valid]
    before = stack.servers["demo"].counter.calls
    for response in (
        httpx.get(f"{stack.url}/api/v1/mcp/demo/tools", headers=headers),
        _raw_post(stack, "/api/v1/mcp/demo/tools/whoami", b"{}", headers),
    ):
        body = problem(response, 400)
        assert "exactly one Authorization header" in body["detail"]
    assert stack.servers["demo"].counter.calls == before


def test_host_and_origin_are_matched_exactly(stack: ProxyStack) -> None:
    port = httpx.URL(stack.url).port
    for host, status in (
        (f"localhost:{port}.evil.example", 400),
        (f"127.0.0.1:{port}@evil.example", 400),
        ("evil.example", 421),
        (f"localhost.evil.example:{port}", 421),
    ):
        problem(stack.get("/api/v1/mcp/servers", Host=host), status)
    for origin in (f"http://localhost:{port}.evil.example", f"http://127.0.0.1:{port}@evil.example",
                   "http://evil.example"):  # fmt: skip
        problem(stack.get("/api/v1/mcp/servers", Origin=origin), 403)
    assert stack.get("/api/v1/mcp/servers", Origin=f"http://127.0.0.1:{port}").status_code == 200
    assert stack.get("/api/v1/mcp/servers", Host=f"localhost:{port}").status_code == 200


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_422_not_500(stack: ProxyStack, depth: int) -> None:
    raw = b'{"arguments": {"text": ' + b"[" * depth + b"]" * depth + b"}}"
    before = stack.servers["demo"].counter.calls
    response = _raw_post(stack, "/api/v1/mcp/demo/tools/echo", raw, stack.headers("admin"))
    assert "nested more than" in problem(response, 422)["detail"]
    assert stack.servers["demo"].counter.calls == before


@pytest.mark.parametrize(
    "raw",
    [b'{"arguments": {"text": "a\\ud800b"}}', b'{"arguments": {"\\udfff": "x"}}'],
    ids=["value", "key"],
)
def test_a_lone_surrogate_is_422_not_502(stack: ProxyStack, raw: bytes) -> None:
    before = stack.servers["demo"].counter.calls
    response = _raw_post(stack, "/api/v1/mcp/demo/tools/echo", raw, stack.headers("admin"))
    assert "lone surrogate" in problem(response, 422)["detail"]
    assert stack.servers["demo"].counter.calls == before


@pytest.mark.parametrize(
    "command", ["show version; reload", "configure terminal", "show ver\x00sion", "show \u00e9"]
)
def test_a_tool_refusing_its_input_is_422_with_its_reason(stack: ProxyStack, command: str) -> None:
    body = problem(stack.call("demo", "run_show", {"command": command}), 422)
    assert body["type"] == "urn:mcp-platform:problem:invalid-input"
    assert "refused" in body["detail"]
    assert stack.call("demo", "run_show", {"command": "show version"}).json()["result"] == (
        "show version"
    )


def test_a_backends_open_circuit_is_503_with_retry_after(stack: ProxyStack) -> None:
    response = stack.call("demo", "backend_down")
    body = problem(response, 503)
    assert body["type"] == "urn:mcp-platform:problem:backend-unavailable"
    assert 1 <= int(response.headers["retry-after"]) <= 30
    assert body["retry_after"] == int(response.headers["retry-after"])
    assert "circuit open" in body["detail"]


def test_an_unreachable_server_is_503(stack: ProxyStack) -> None:
    problem(stack.get("/api/v1/mcp/offline/tools"), 503)


def test_a_server_slower_than_the_upstream_timeout_is_504(stack: ProxyStack) -> None:
    start = time.monotonic()
    problem(stack.call("sluggish", "slow", {"seconds": 2}), 504)
    assert time.monotonic() - start < 1.8


def test_unknown_routes_and_methods_are_problems_too(stack: ProxyStack) -> None:
    problem(stack.get("/api/v2/nothing"), 404)
    problem(httpx.delete(f"{stack.url}/api/v1/mcp/servers"), 405)


# --- request ids, logs, pooling ----------------------------------------------------------------
def test_a_plain_request_id_is_kept_passed_on_and_logged(
    stack: ProxyStack, logs: io.StringIO
) -> None:
    rid = "req-1234-abcd"
    response = stack.call("demo", "echo", {"text": "id"}, **{"X-Request-ID": rid})
    assert response.headers["x-request-id"] == rid
    # The proxy writes its access line once the response is sent: give it a moment.
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and not any(
        x.get("trace.id") == rid and x.get("message") == "REST request" for x in lines(logs)
    ):
        time.sleep(0.02)
    mine = [x for x in lines(logs) if x.get("trace.id") == rid]
    server_lines = [x for x in mine if x.get("message") == "MCP tool executed"]
    proxy_lines = [x for x in mine if x.get("message") == "REST request"]
    assert server_lines and server_lines[-1]["user.id"] == subject_for("admin")
    assert proxy_lines and proxy_lines[-1]["http.response.status_code"] == 200


def test_an_unsafe_request_id_is_replaced(stack: ProxyStack) -> None:
    response = stack.get("/api/v1/mcp/servers", **{"X-Request-ID": "id with spaces; user.id=admin"})
    assert response.headers["x-request-id"].isalnum()
    assert len(response.headers["x-request-id"]) == 32


def test_every_proxy_log_line_of_a_request_carries_its_id(
    stack: ProxyStack, logs: io.StringIO
) -> None:
    start = len(lines(logs))
    stack.call("demo", "fail", **{"X-Request-ID": "fail-trace-1"})
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and not any(
        x.get("message") == "REST request" for x in lines(logs)[start:]
    ):
        time.sleep(0.02)
    new = [x for x in lines(logs)[start:] if x.get("log.logger") == "mcp.rest_proxy"]
    assert new and all(x.get("trace.id") == "fail-trace-1" for x in new)


def test_calls_reuse_pooled_connections_without_any_handshake(stack: ProxyStack) -> None:
    counter = stack.servers["github"].counter
    before = len(counter.connections)
    for _ in range(20):
        assert stack.call("github", "list_repos", {"org": "a"}, "developer").status_code == 200
    assert len(counter.connections) - before <= 2
    assert counter.initializes == 0


# --- documents, probes ---------------------------------------------------------------------------
def test_openapi_has_one_typed_operation_per_tool(stack: ProxyStack) -> None:
    doc = stack.get("/openapi.json", "admin").json()
    operation = doc["paths"]["/api/v1/mcp/demo/tools/echo"]["post"]
    assert operation["operationId"] == "demo__echo"
    schemas = doc["components"]["schemas"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    arguments = schemas[body["properties"]["arguments"]["$ref"].rsplit("/", 1)[1]]
    assert arguments["required"] == ["text"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schemas[ok["properties"]["result"]["$ref"].rsplit("/", 1)[1]]["required"] == [
        "text",
        "times",
    ]
    assert {"401", "403", "404", "422", "429", "502", "503", "504"} <= set(operation["responses"])
    nested = schemas["demo__count_matches__arguments"]["properties"]["where"]
    assert nested["properties"]["field"]["maxLength"] == 20


def test_a_callers_openapi_shows_only_their_tools(stack: ProxyStack) -> None:
    doc = stack.get("/openapi.json", "developer").json()
    operations = {op["post"]["operationId"] for p, op in doc["paths"].items() if "post" in op}
    assert "github__create_issue" in operations
    assert not any(o.startswith("demo__") for o in operations)


def test_without_a_token_openapi_has_the_generic_routes_only(stack: ProxyStack) -> None:
    # The proxy holds no identity of its own to list tools with: no caller, no tools.
    doc = stack.get("/openapi.json", None).json()
    assert "/api/v1/mcp/{server_name}/tools/{tool_name}" in doc["paths"]
    assert not any(path.startswith("/api/v1/mcp/demo/") for path in doc["paths"])


def test_swagger_ui_health_readiness_and_metrics_are_served(stack: ProxyStack) -> None:
    assert "swagger-ui" in stack.get("/docs", None).text
    assert stack.get("/healthz", None).json()["status"] == "alive"
    ready = stack.get("/readyz", None)
    assert ready.status_code == 200 and ready.json()["checks"] == {"keys": True, "policy": True}
    assert "mcp_tool_call_duration_seconds" in stack.get("/metrics", None).text
