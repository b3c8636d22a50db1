"""No token passthrough, per-server audiences: the proxy exchanges each caller's token (RFC 8693).

Real issuer, real servers each accepting only tokens for their own resource URI, real
policy. A caller's token for the proxy is worthless at a server, a token for one server is
worthless at another, and the proxy reaches a server only with the caller's token exchanged
for that server, naming the proxy as actor (which the policy and the audit see).
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from dev_idp import IdpServer
from dev_idp.identities import subject_for
from mcp_common import CommonSettings, create_server
from mcp_common.auth import OIDCVerifier
from mcp_common.observability import AUDIT_LOGGER, EcsJsonFormatter
from mcp_common.policy import RegoAuthorizer
from mcp_common.testing import StaticSecretStore
from mcp_rest_api_proxy import ProxySettings, ServerRegistry, create_app
from mcp_rest_api_proxy.problems import ProxyProblem
from platform_testkit import resource_token
from simulator_kit.serve import BackgroundServer

sys.path.insert(0, str(Path(__file__).parent))
from proxy_stack import demo_tools, free_port, github_tools


def own_audience_server(
    serve: Callable[..., BackgroundServer], idp: IdpServer, policy_path: Path, name: str, tools: Any
) -> str:
    """An MCP server for policy resource `name` accepting only tokens for its own URI."""
    port = free_port()
    settings = CommonSettings(
        port=port, service_name=name, oidc_issuer=idp.issuer, secrets_backend="file",
        secrets_file="unused", policy_path=str(policy_path), rate_limit_per_minute=0,
    )  # fmt: skip
    assert settings.oidc_audience is None
    server = create_server(
        settings,
        name=name,
        resource=name,
        toolsets=[tools],
        verifier=OIDCVerifier(idp.issuer, settings.token_audience, jwks_min_refresh=0),
        authorizer=RegoAuthorizer(policy_path),
        secrets=StaticSecretStore({}),
        rate_limiter=None,
    )
    serve(server.http_app(), port)
    assert settings.resource_url == f"http://127.0.0.1:{port}/mcp"
    return settings.resource_url


class Stack:
    def __init__(self, idp: IdpServer, proxy: str, servers: dict[str, str]) -> None:
        self.idp, self.proxy, self.servers = idp, proxy, servers

    def call(self, token: str, server: str, tool: str, args: dict[str, Any]) -> httpx.Response:
        return httpx.post(
            f"{self.proxy}/api/v1/mcp/{server}/tools/{tool}",
            json={"arguments": args},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )


@pytest.fixture(scope="module")
def audit() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(EcsJsonFormatter())
    logger = logging.getLogger(AUDIT_LOGGER)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(previous)


@pytest.fixture(scope="module")
def stack(
    serve: Callable[..., BackgroundServer], idp: IdpServer, policy_path: Path, audit: io.StringIO
) -> Stack:
    servers = {
        "servicenow": own_audience_server(serve, idp, policy_path, "servicenow", demo_tools()),
        "github": own_audience_server(serve, idp, policy_path, "github", github_tools()),
    }
    port = free_port()
    settings = ProxySettings(
        port=port,
        oidc_issuer=idp.issuer,
        policy_path=str(policy_path),
        servers=servers,
        exchange_client_secret=idp.secret("rest-api-proxy"),
    )
    assert settings.token_audience == f"http://127.0.0.1:{port}"
    serve(create_app(settings, registry=ServerRegistry.from_settings(settings)), port)
    return Stack(idp, settings.resource_url, servers)


def test_the_proxy_calls_a_server_with_the_caller_s_token_exchanged_for_it(
    stack: Stack, audit: io.StringIO
) -> None:
    token = resource_token(stack.idp, "service-desk", stack.proxy)
    answer = stack.call(token, "servicenow", "whoami", {})
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"]["subject"] == subject_for("service-desk")
    lines = [json.loads(line) for line in audit.getvalue().splitlines()]
    decisions = [
        line for line in lines
        if line.get("authz.tool") == "whoami" and line["message"] == "authorization.decision"
    ]  # fmt: skip
    assert decisions and decisions[-1]["user.id"] == subject_for("service-desk")
    assert decisions[-1]["user.actors"] == ["rest-api-proxy"]


def test_through_the_proxy_a_caller_gets_no_more_than_their_own_rights(stack: Stack) -> None:
    developer = resource_token(stack.idp, "developer", stack.proxy)
    assert stack.call(developer, "github", "create_issue", {"repo": "a/b", "title": "x"}).is_success
    # servicenow's tools are invisible to a developer there, exchanged token or not.
    denied = stack.call(developer, "servicenow", "whoami", {})
    assert denied.status_code == 404 and "not visible to you" in denied.json()["detail"]


async def test_a_token_for_one_server_is_refused_by_every_other(stack: Stack) -> None:
    sn, gh = stack.servers["servicenow"], stack.servers["github"]
    for token, url in [
        (resource_token(stack.idp, "admin", gh), sn),  # github's token at servicenow
        (resource_token(stack.idp, "admin", sn), gh),
        (resource_token(stack.idp, "admin", stack.proxy), sn),  # no passthrough possible
        (stack.idp.token("admin"), sn),  # the old shared audience
    ]:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.post(
                url,
                json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                headers={
                    "Authorization": f"Bearer {token}",
                    "Accept": "application/json, text/event-stream",
                },
            )
        assert response.status_code == 401, response.text
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith("Bearer") and "resource_metadata" in challenge
    async with Client(
        StreamableHttpTransport(sn, auth=resource_token(stack.idp, "admin", sn))
    ) as client:
        assert {t.name for t in await client.list_tools()} >= {"whoami"}


def test_the_proxy_refuses_a_token_meant_for_a_server(stack: Stack) -> None:
    token = resource_token(stack.idp, "admin", stack.servers["servicenow"])
    answer = stack.call(token, "servicenow", "whoami", {})
    assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Bearer")


ISSUER, TOKEN_URL = "http://idp.test", "http://idp.test/token"


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (httpx.Response(400, json={"error": "invalid_request"}), 401),  # caller's token refused
        (httpx.Response(503), 503),  # IdP down
        (httpx.ConnectError("refused"), 503),
        (httpx.Response(401, json={"error": "invalid_client"}), 502),  # the proxy misconfigured
    ],
)
@respx.mock
async def test_exchange_failures_become_clear_problems(answer: Any, status: int) -> None:
    route = respx.post(TOKEN_URL)
    if isinstance(answer, Exception):
        route.mock(side_effect=answer)
    else:
        route.mock(return_value=answer)
    settings = ProxySettings(
        oidc_issuer=ISSUER, servers="servicenow=http://sn.test/mcp",
        exchange_client_secret="s", proxy_token_endpoint=TOKEN_URL,
    )  # fmt: skip
    registry = ServerRegistry.from_settings(settings)
    with pytest.raises(ProxyProblem) as caught:
        await registry.upstream_token("caller-token", registry.get("servicenow"))
    assert caught.value.status == status
    if status == 401:
        assert caught.value.headers["WWW-Authenticate"].startswith("Bearer")
    await registry.aclose()


def test_there_is_no_registry_that_forwards_the_caller_s_token() -> None:
    # No settings without an exchange secret (test_settings), and no registry without an
    # exchanger: the proxy cannot be built to pass a caller's token through.
    with pytest.raises(TypeError, match="exchanger"):
        ServerRegistry({})  # type: ignore[call-arg]
