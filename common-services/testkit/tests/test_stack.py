"""start_server_stack: a simulator and an MCP server built in front of it, through the whole chain.

A demo server (resource `github`: developers and admin may call it) whose one tool reads the
backend's credentials from OpenBao with the stack's AppRole and calls the simulator with them.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastmcp.exceptions import ToolError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dev_idp import IdpServer
from mcp_common import CommonSettings, PlatformServer, Toolset, create_server
from mcp_common.observability import configure_logging
from mcp_common.server import build_secret_store
from platform_launcher.openbao import OpenBaoDevServer
from platform_testkit.stack import (
    SandboxControls,
    ServerStack,
    StrictStack,
    capture_logs,
    error_text,
    resource_token,
    start_server_stack,
)
from simulator_kit.serve import BackgroundServer

USER = "svc-demo"
PASSWORD = f"demo-password-{uuid.uuid4().hex}"
SECRET_PATH = f"api/stack-demo-{uuid.uuid4().hex[:8]}"
EXPECTED_AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def simulator_app(events: list[str]) -> Starlette:
    """The demo backend with `/sandbox` stats controls; `events` records its lifespan."""
    served: Counter[str] = Counter()

    async def hello(request: Request) -> JSONResponse:
        served["GET /hello"] += 1
        if request.headers.get("authorization") != EXPECTED_AUTH:
            return JSONResponse({"error": "bad credentials"}, status_code=401)
        return JSONResponse({"greeting": "hello"})

    async def stats(request: Request) -> JSONResponse:
        return JSONResponse({"requests": dict(served)})

    async def clear(request: Request) -> JSONResponse:
        assert await request.json() == {}  # controls are posted with a JSON body
        served.clear()
        return JSONResponse({"cleared": True})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.append("started")
        yield
        events.append("stopped")

    routes = [Route("/hello", hello), Route("/sandbox/stats", stats),
              Route("/sandbox/stats/clear", clear, methods=["POST"]),
              Route("/sandbox/reset", clear, methods=["POST"])]  # fmt: skip
    return Starlette(routes=routes, lifespan=lifespan)


def secret_of(url: str) -> dict[str, str]:
    """What the demo backend's secret holds."""
    return {"base_url": url, "username": USER, "password": PASSWORD}


class DemoSettings(CommonSettings):
    """Settings of the demo server (one setting of its own, to see overrides land)."""

    service_name: str = "mcp-stack-demo"
    secret_path: str = SECRET_PATH
    suffix: str = "!"


def build(settings: DemoSettings) -> PlatformServer:
    """The demo server, built as the real servers are."""
    secrets = build_secret_store(settings)
    ts = Toolset("demo")

    @ts.tool(action="read")
    async def backend_hello() -> dict[str, Any]:
        """Say hello through the backend, with the credentials read from Vault."""
        creds = await secrets.get(settings.secret_path)
        async with httpx.AsyncClient(base_url=creds["base_url"]) as http:
            response = await http.get("/hello", auth=(creds["username"], creds["password"]))
        response.raise_for_status()
        return {**response.json(), "suffix": settings.suffix}

    return create_server(
        settings, name="stack-demo", resource="github", toolsets=[ts], secrets=secrets
    )


def accepts(url: str) -> bool:
    """Whether something listens at the URL's port."""
    try:
        with socket.create_connection(("127.0.0.1", urlsplit(url).port or 0), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def issued() -> list[str]:
    """The identities the stack asked a token for, in order."""
    return []


@pytest.fixture(scope="module")
def stack(
    idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path, issued: list[str]
) -> Iterator[ServerStack]:
    def token(identity: str, resource: str) -> str:
        issued.append(identity)
        return resource_token(idp, identity, resource)

    with start_server_stack(
        simulator_app([]), secret_of, DemoSettings, build, idp=idp, openbao=openbao,
        policy_path=policy_path, identity="developer", tokens=token, overrides={"suffix": "?"},
    ) as started:  # fmt: skip
        yield started


async def test_a_tool_reaches_the_simulator_with_the_credentials_seeded_in_openbao(
    stack: ServerStack,
) -> None:
    assert await stack.data("backend_hello") == {"greeting": "hello", "suffix": "?"}


def test_the_settings_are_the_launchers_with_the_overrides_last(
    stack: ServerStack, idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path
) -> None:
    s = stack.settings
    assert isinstance(s, DemoSettings)
    assert stack.url == f"{stack.base_url}/mcp" == f"http://127.0.0.1:{s.port}/mcp"
    assert str(s.oidc_issuer).rstrip("/") == idp.issuer
    # No shared audience: the server accepts tokens for its own resource URI only.
    assert s.oidc_audience is None and s.token_audience == stack.url == s.resource_url
    assert (s.vault_auth, str(s.vault_addr).rstrip("/")) == ("approle", openbao.addr)
    assert s.vault_role_id and s.vault_secret_id
    assert s.policy_path == str(policy_path) and s.rate_limit_per_minute == 0
    assert s.suffix == "?"
    assert accepts(stack.simulator_url)


async def test_identities_the_policy_refuses_see_no_tool_and_are_denied(
    stack: ServerStack,
) -> None:
    assert await stack.tools("service-desk") == set()
    assert await stack.tools() == {"backend_hello"}
    assert "Access denied" in await stack.error("backend_hello", identity="service-desk")


async def test_clients_carry_tokens_issued_for_their_identity(
    stack: ServerStack, issued: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stack, "token_max_age", 0)  # a new token per client
    issued.clear()
    async with stack.client() as c:
        assert {t.name for t in await c.list_tools()} == {"backend_hello"}
    async with stack.client("service-desk") as c:
        assert await c.list_tools() == []
    assert issued == ["developer", "service-desk"]


def test_a_token_is_reused_until_it_is_token_max_age_old() -> None:
    count = iter(range(1, 100))
    stack = ServerStack(url="http://127.0.0.1:1/mcp", simulator_url="http://127.0.0.1:2",
                        tokens=lambda identity: f"{identity}-{next(count)}")  # fmt: skip
    assert stack.token("admin") == stack.token("admin") == "admin-1"
    assert stack.token("developer") == "developer-2"
    stack.token_max_age = 0
    assert stack.token("admin") == "admin-3" and stack.token("admin") == "admin-4"
    with pytest.raises(ValueError, match=r"token_max_age must be in 0\.\.240 s"):
        ServerStack(url=stack.url, simulator_url=stack.simulator_url, tokens=str,
                    token_max_age=300)  # fmt: skip


async def test_data_and_error_fail_when_the_outcome_is_not_the_expected_one(
    stack: ServerStack,
) -> None:
    with pytest.raises(AssertionError, match="Access denied"):
        await stack.data("backend_hello", identity="service-desk")
    with pytest.raises(AssertionError, match="backend_hello succeeded"):
        await stack.error("backend_hello")
    result = await stack.call("backend_hello", {}, "service-desk")
    assert result.is_error and "Access denied" in error_text(result)


async def test_the_strict_view_calls_identity_first_and_raises_tool_errors(
    stack: ServerStack,
) -> None:
    strict = StrictStack(stack)
    assert strict.sim is stack.simulator and strict.url == stack.url
    assert await strict.call("admin", "backend_hello") == {"greeting": "hello", "suffix": "?"}
    assert await strict.tools("admin") == {"backend_hello"}
    with pytest.raises(ToolError, match="Access denied"):
        await strict.call("service-desk", "backend_hello")


def test_stop_ends_the_server_and_the_simulator_it_started(
    idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path
) -> None:
    events: list[str] = []
    stack = start_server_stack(
        simulator_app(events), secret_of, DemoSettings, build, idp=idp, openbao=openbao,
        policy_path=policy_path,
    )  # fmt: skip
    assert accepts(stack.url) and accepts(stack.simulator_url) and events == ["started"]
    stack.stop()
    stack.stop()
    assert not accepts(stack.url) and not accepts(stack.simulator_url)
    assert events == ["started", "stopped"]


def test_a_simulator_given_by_url_is_used_and_left_running(
    idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path
) -> None:
    with BackgroundServer(simulator_app([])) as simulator:
        with start_server_stack(
            simulator.url + "/", secret_of(simulator.url), DemoSettings, build, idp=idp,
            openbao=openbao, policy_path=policy_path, secret_path="api/stack-demo-by-url",
            simulator="the tests' handle",
        ) as stack:  # fmt: skip
            assert stack.simulator_url == simulator.url
            assert stack.simulator == "the tests' handle"
        assert not accepts(stack.url)
        assert simulator.running and accepts(simulator.url)
    assert openbao.request("GET", "secret/data/api/stack-demo-by-url")["data"]["data"] == (
        secret_of(simulator.url)
    )


def test_a_failed_start_stops_the_simulator_it_started(
    idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path
) -> None:
    events: list[str] = []
    with pytest.raises(ValueError, match="no secret_path given and the settings have none"):
        start_server_stack(
            simulator_app(events), secret_of, CommonSettings, build, idp=idp, openbao=openbao,
            policy_path=policy_path,
        )  # fmt: skip
    assert events == ["started", "stopped"]


@pytest.mark.parametrize(
    ("backend", "overrides", "message"),
    [
        (None, {}, "app must be an ASGI application, got None"),
        ("http://127.0.0.1:1", {"port": 8080}, r"may not set \['port'\]"),
        ("http://127.0.0.1:1", {"vault_secret_id": "x"}, r"may not set \['vault_secret_id'\]"),
    ],
)
def test_arguments_that_would_break_the_chain_are_refused_before_anything_starts(
    idp: IdpServer,
    openbao: OpenBaoDevServer,
    policy_path: Path,
    backend: Any,
    overrides: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        start_server_stack(
            backend, secret_of, DemoSettings, build, idp=idp, openbao=openbao,
            policy_path=policy_path, overrides=overrides,
        )  # fmt: skip


async def test_the_default_simulator_handle_speaks_the_sandbox_controls(
    stack: ServerStack,
) -> None:
    controls = stack.simulator
    assert isinstance(controls, SandboxControls) and controls.url == stack.simulator_url
    controls.reset()
    await stack.data("backend_hello")
    assert controls.requests("GET /hello") == 1 and controls.stats()["requests"]
    controls.clear_stats()
    assert controls.requests("GET /hello") == 0
    with pytest.raises(httpx.HTTPStatusError, match="404"):
        controls.admin("no-such-control")
    with pytest.raises(ValueError, match="url must be an http"):
        SandboxControls("127.0.0.1:8080")


def test_a_stack_without_a_default_identity_needs_one_per_call() -> None:
    stack = ServerStack(url="http://127.0.0.1:1/mcp", simulator_url="http://127.0.0.1:2",
                        tokens=lambda identity: f"token-of-{identity}")  # fmt: skip
    assert stack.token("admin") == "token-of-admin" and stack.identity is None
    with pytest.raises(ValueError, match="no default identity"):
        stack.token()
    with pytest.raises(ValueError, match="url must be an http"):
        ServerStack(url="127.0.0.1:1/mcp", simulator_url="http://127.0.0.1:2", tokens=str)


def test_capture_logs_keeps_every_debug_line_as_shipped_then_goes_back_to_info() -> None:
    with capture_logs(configure_logging, "mcp-stack-demo") as stream:
        logging.getLogger("stack-demo").debug("a debug line")
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["message"] == "a debug line" and line["service.name"] == "mcp-stack-demo"
    assert logging.getLogger().level == logging.INFO
