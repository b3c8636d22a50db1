"""Problem details: the mapping from MCP failures to HTTP statuses, and the body shape."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from mcp_common.client import McpCallError
from mcp_common.errors import AuthorizationDenied
from mcp_rest_api_proxy.problems import ProxyProblem, denied, from_mcp_error, problem_response


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("denied", 403),
        ("unknown_tool", 404),
        ("invalid_arguments", 422),
        ("invalid_input", 422),
        ("rate_limited", 429),
        ("too_large", 413),
        ("unauthorized", 401),
        ("tool_error", 502),
        ("upstream_error", 502),
        ("forbidden", 502),
        ("endpoint_not_found", 502),
        ("protocol", 502),
        ("unavailable", 503),
        ("timeout", 504),
    ],
)
def test_every_kind_has_its_status(kind: str, status: int) -> None:
    assert from_mcp_error(McpCallError("m", kind=kind, server="s")).status == status


def test_retry_after_is_passed_on_rounded_up() -> None:
    limited = from_mcp_error(
        McpCallError("slow down", kind="rate_limited", server="s", retry_after=2.2)
    )
    assert limited.headers == {"Retry-After": "3"}
    busy = from_mcp_error(McpCallError("busy", kind="unavailable", server="s", retry_after=0))
    assert busy.headers == {"Retry-After": "1"}


def test_a_tools_own_message_is_kept_and_server_failures_name_the_server() -> None:
    assert from_mcp_error(McpCallError("disk full", kind="tool_error", server="s")).detail == (
        "disk full"
    )
    assert "MCP server 's'" in from_mcp_error(McpCallError("x", kind="protocol", server="s")).detail


def test_a_policy_refusal_names_action_and_resource() -> None:
    problem = denied(AuthorizationDenied("write", "rest-api-proxy", "create_issue"))
    assert problem.status == 403
    assert problem.extensions == {"action": "write", "resource": "rest-api-proxy"}
    assert "'write'" in problem.detail and "'rest-api-proxy'" in problem.detail


def test_the_body_is_rfc9457_with_the_request_id() -> None:
    async def route(request: Request) -> Response:
        request.state.request_id = "rid-7"
        return problem_response(request, ProxyProblem(404, "unknown-server", "no such", server="x"))

    response = TestClient(Starlette(routes=[Route("/p", route)])).get("/p")
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:mcp-platform:problem:unknown-server",
        "title": "Not Found",
        "status": 404,
        "detail": "no such",
        "instance": "/p",
        "request_id": "rid-7",
        "server": "x",
    }


def test_only_error_statuses_are_problems() -> None:
    with pytest.raises(ValueError):
        ProxyProblem(200, "fine", "not a problem")
