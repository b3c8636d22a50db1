"""RequestContextMiddleware: request ids in and out, and a bug is a bare problem 500."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from mcp_common.auth import Principal, TokenExchanger
from mcp_common.client import McpClient, ToolInfo
from mcp_common.observability import current_log_context
from mcp_common.testing import StaticAuthorizer, StaticVerifier
from mcp_rest_api_proxy import ProxySettings, ServerRegistry, create_app
from mcp_rest_api_proxy.context import RequestContextMiddleware, accept_request_id


async def ok(request: Request) -> Response:
    return JSONResponse({"state": request.state.request_id, "log": current_log_context()})


async def bug(_: Request) -> Response:
    raise RuntimeError("secret internals /etc/passwd")


CLIENT = TestClient(
    Starlette(
        routes=[Route("/ok", ok), Route("/bug", bug)],
        middleware=[Middleware(RequestContextMiddleware)],
    ),
    raise_server_exceptions=False,
)


def test_a_plain_id_is_kept_and_put_in_every_log_line() -> None:
    response = CLIENT.get("/ok", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.json() == {"state": "abc-123", "log": {"trace.id": "abc-123"}}


def test_no_id_or_an_unsafe_one_gets_a_fresh_id() -> None:
    assert len(CLIENT.get("/ok").headers["x-request-id"]) == 32
    assert accept_request_id("a b") != "a b"
    assert accept_request_id("x" * 129) != "x" * 129
    assert accept_request_id("ok-1") == "ok-1"


def test_a_bug_is_a_problem_500_with_the_request_id_only() -> None:
    response = CLIENT.get("/bug", headers={"X-Request-ID": "bug-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["request_id"] == "bug-1" and body["status"] == 500
    assert "passwd" not in response.text and "RuntimeError" not in response.text


class FixedExchanger(TokenExchanger):
    """A token exchange that always succeeds (the bug under test is elsewhere)."""

    async def exchange(self, subject_token: str, resource: str) -> str:
        return "exchanged"


class BuggyClient(McpClient):
    """A client with a bug: anything but a platform error escapes from it."""

    async def list_tools(self, token: str, **kwargs: Any) -> tuple[ToolInfo, ...]:
        raise KeyError("internal detail")


def test_the_proxy_turns_a_bug_into_a_problem_500() -> None:
    settings = ProxySettings(
        oidc_issuer="http://127.0.0.1:1", oidc_audience="mcp-platform", exchange_client_secret="s"
    )
    app = create_app(
        settings,
        verifier=StaticVerifier({"t": Principal(subject="dev", groups=frozenset({"developers"}))}),
        authorizer=StaticAuthorizer(),
        registry=ServerRegistry(
            {"s": BuggyClient("s", "http://127.0.0.1:1/mcp")},
            exchanger=FixedExchanger("http://127.0.0.1:1", "rest-api-proxy", "s"),
        ),
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/mcp/s/tools", headers={"Authorization": "Bearer t"})
    assert response.status_code == 500
    assert response.json()["detail"].startswith("internal error")
    assert "internal detail" not in response.text and "KeyError" not in response.text
