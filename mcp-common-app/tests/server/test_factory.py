"""A demo server built with `create_server`, end to end over HTTP with the FastMCP client.

Real parts: the development issuer, OpenBao (AppRole login), the embedded policy engine
over the real policy file. The demo server's resource is `catalyst-center`, so the policy's
MFA rule for write/execute on network resources applies.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

from dev_idp import IdpServer
from mcp_common import CommonSettings, Toolset, create_server, current_principal
from mcp_common.auth import OIDCVerifier
from mcp_common.observability import configure_logging
from mcp_common.policy import RegoAuthorizer
from mcp_common.secrets import AppRoleAuth, SecretStore, VaultSecretStore
from platform_launcher.openbao import OpenBaoDevServer, read_policy
from simulator_kit.serve import free_port

ROOT = Path(__file__).resolve().parents[3]
SECRET_VALUE = f"backend-password-{uuid.uuid4().hex}"
SECRET_PATH = f"api/demo-{uuid.uuid4().hex[:8]}"


def demo_tools(secrets: SecretStore) -> Toolset:
    """Four tools, one per kind of access."""
    ts = Toolset("demo")

    @ts.tool(action="read")
    async def whoami() -> dict[str, Any]:
        """Who the server thinks is calling."""
        p = current_principal()
        assert p is not None
        return {"subject": p.subject, "groups": sorted(p.groups), "mfa": p.mfa}

    @ts.tool(action="read")
    async def backend_login_check() -> dict[str, Any]:
        """Reads the backend credentials from Vault (and never returns them)."""
        creds = await secrets.get(SECRET_PATH)
        return {"username": creds["username"], "has_password": bool(creds["password"])}

    @ts.tool(action="write")
    async def change_config(line: str) -> str:
        """Pretends to change a device configuration."""
        return f"applied: {line}"

    @ts.tool(action="execute")
    async def run_command(command: str) -> str:
        """Pretends to run a command."""
        return f"ran: {command}"

    return ts


@pytest.fixture(scope="module")
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("demo", "DEBUG", stream=stream)
    yield stream
    configure_logging("demo", "INFO")


@pytest.fixture(scope="module")
def demo(idp: IdpServer, openbao: OpenBaoDevServer, serve, log_stream, policy_path) -> str:
    openbao.seed({SECRET_PATH: {"username": "svc-demo", "password": SECRET_VALUE}})
    role_id, secret_id = openbao.service_approle("demo", read_policy([SECRET_PATH]))
    port = free_port()
    settings = CommonSettings(
        port=port,
        oidc_issuer=idp.issuer,
        oidc_audience=idp.audience,
        vault_addr=openbao.addr,
        vault_auth="approle",
        vault_role_id=role_id,
        vault_secret_id=secret_id,
        rate_limit_per_minute=0,
        service_name="demo",
    )
    secrets = VaultSecretStore(openbao.addr, auth=AppRoleAuth(role_id, secret_id))
    platform = create_server(
        settings,
        name="demo",
        resource="catalyst-center",
        toolsets=[demo_tools(secrets)],
        verifier=OIDCVerifier(idp.issuer, idp.audience, jwks_min_refresh=0),
        authorizer=RegoAuthorizer(policy_path),
        secrets=secrets,
    )
    server = serve(platform.http_app(), port)
    return f"{server.url}/mcp"


def client(url: str, token: str) -> Client[Any]:
    return Client(StreamableHttpTransport(url, auth=token))


INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
HEADERS = {"Accept": "application/json, text/event-stream"}


def test_no_token_gets_401_with_resource_metadata(demo: str) -> None:
    response = httpx.post(demo, json=INIT, headers=HEADERS)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer") and "resource_metadata=" in challenge
    metadata_url = challenge.split('resource_metadata="')[1].split('"')[0]
    metadata = httpx.get(metadata_url).json()
    assert metadata["resource"] == demo


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": int(time.time()) - 600, "iat": int(time.time()) - 900},
        {"nbf": int(time.time()) + 600},
        {"iss": "https://evil.example"},
        {"aud": "another-api"},
        {"sign_with": "unknown-key"},
        {"sign_with": "unknown-key", "kid": "not-published"},
        {"sign_with": "none"},
        {"sign_with": "hs256-public-key"},
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "wrong-issuer",
        "wrong-audience",
        "bad-signature",
        "unknown-kid",
        "alg-none",
        "hs256-public-key",
    ],
)
def test_bad_tokens_get_401_never_500(demo: str, idp: IdpServer, overrides: dict) -> None:
    token = idp.mint("admin", **overrides)
    response = httpx.post(demo, json=INIT, headers={**HEADERS, "Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "www-authenticate" in response.headers


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0..", "x" * 5000])
def test_garbage_tokens_get_401(demo: str, garbage: str) -> None:
    response = httpx.post(
        demo, json=INIT, headers={**HEADERS, "Authorization": f"Bearer {garbage}"}
    )
    assert response.status_code == 401


def test_key_rotation_is_picked_up_by_a_running_server(demo: str, idp: IdpServer) -> None:
    idp.rotate()
    token = idp.token("admin")
    response = httpx.post(demo, json=INIT, headers={**HEADERS, "Authorization": f"Bearer {token}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        ("admin", {"whoami", "backend_login_check", "change_config", "run_command"}),
        ("network-engineer-mfa", {"whoami", "backend_login_check", "change_config", "run_command"}),
        ("network-engineer", {"whoami", "backend_login_check"}),
        ("service-desk", {"whoami", "backend_login_check"}),
        ("developer", set()),
    ],
)
async def test_tools_list_shows_only_what_the_caller_may_call(
    demo: str, idp: IdpServer, identity: str, expected: set[str]
) -> None:
    async with client(demo, idp.token(identity)) as c:
        assert {t.name for t in await c.list_tools()} == expected


async def test_annotations_follow_the_declared_action(demo: str, idp: IdpServer) -> None:
    async with client(demo, idp.token("admin")) as c:
        tools = {t.name: t for t in await c.list_tools()}
    assert tools["whoami"].annotations.read_only_hint is True
    assert tools["change_config"].annotations.destructive_hint is True


async def test_denied_call_names_action_and_resource(demo: str, idp: IdpServer) -> None:
    async with client(demo, idp.token("network-engineer")) as c:
        with pytest.raises(ToolError) as exc:
            await c.call_tool("change_config", {"line": "ntp server 10.0.0.1"})
    message = str(exc.value)
    assert "write" in message and "catalyst-center" in message
    assert "Unknown tool" not in message


async def test_mfa_unlocks_write(demo: str, idp: IdpServer) -> None:
    async with client(demo, idp.token("network-engineer-mfa")) as c:
        result = await c.call_tool("change_config", {"line": "ntp server 10.0.0.1"})
    assert result.data == "applied: ntp server 10.0.0.1"


async def test_identity_comes_from_the_verified_token(demo: str, idp: IdpServer) -> None:
    async with client(demo, idp.token("service-desk")) as c:
        result = await c.call_tool("whoami", {})
    assert result.data["groups"] == ["service-desk"] and result.data["mfa"] is True


async def test_secrets_come_from_vault_and_never_leave(demo: str, idp: IdpServer) -> None:
    async with client(demo, idp.token("admin")) as c:
        result = await c.call_tool("backend_login_check", {})
    assert result.data == {"username": "svc-demo", "has_password": True}


async def test_bad_arguments_get_a_clear_error(demo: str, idp: IdpServer) -> None:
    async with client(demo, idp.token("admin")) as c:
        with pytest.raises(ToolError, match="line"):
            await c.call_tool("change_config", {"lines": 3})


async def test_unknown_tool_is_reported_as_such(demo: str, idp: IdpServer) -> None:
    async with client(demo, idp.token("admin")) as c:
        with pytest.raises(ToolError, match="Unknown tool"):
            await c.call_tool("format_disk", {})


def test_health_readiness_and_metrics_are_served(demo: str) -> None:
    base = demo.removesuffix("/mcp")
    assert httpx.get(f"{base}/healthz").json()["status"] == "alive"
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"keys": True, "policy": True, "secrets": True}
    metrics = httpx.get(f"{base}/metrics").text
    assert "mcp_tool_call_duration_seconds" in metrics
    assert "mcp_authorization_decisions_total" in metrics


def test_dns_rebinding_is_refused(demo: str, idp: IdpServer) -> None:
    token = idp.token("admin")
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    evil_host = httpx.post(demo, json=INIT, headers={**headers, "Host": "evil.example"})
    assert evil_host.status_code == 421
    evil_origin = httpx.post(demo, json=INIT, headers={**headers, "Origin": "https://evil.example"})
    assert evil_origin.status_code == 403


def test_oversized_bodies_are_refused(demo: str, idp: IdpServer) -> None:
    token = idp.token("admin")
    body = {**INIT, "params": {**INIT["params"], "pad": "x" * 2_000_000}}
    response = httpx.post(demo, json=body, headers={**HEADERS, "Authorization": f"Bearer {token}"})
    assert response.status_code == 413


async def test_one_log_line_per_call_and_audit_events(
    demo: str, idp: IdpServer, log_stream: io.StringIO
) -> None:
    async with client(demo, idp.token("service-desk")) as c:
        await c.call_tool("whoami", {})
        with pytest.raises(ToolError):
            await c.call_tool("run_command", {"command": "show version"})
    lines = [json.loads(x) for x in log_stream.getvalue().splitlines() if x.startswith("{")]
    calls = [x for x in lines if x.get("message") == "MCP tool executed"]
    assert {"tool_name", "user.id", "duration_ms", "status", "trace.id"} <= set(calls[-1])
    assert [c["status"] for c in calls[-2:]] == ["success", "denied"]
    decisions = [x for x in lines if x.get("event.action") == "authorization.decision"]
    denied = decisions[-1]
    assert denied["authz.decision"] == "deny" and denied["authz.action"] == "execute"
    assert denied["authz.engine"] == "embedded" and denied["user.id"]


def test_no_secret_or_token_in_any_log_line(
    demo: str, idp: IdpServer, openbao: OpenBaoDevServer, log_stream: io.StringIO
) -> None:
    # Runs last in this module: everything above was logged at DEBUG.
    text = log_stream.getvalue()
    assert text, "nothing was logged"
    assert SECRET_VALUE not in text
    assert openbao.root_token not in text
    assert "eyJ" not in text  # no JWT, nor any piece of one


async def test_error_results_carry_a_machine_readable_kind(demo: str, idp: IdpServer) -> None:
    async with client(demo, idp.token("network-engineer")) as c:
        denied = await c.call_tool("change_config", {"line": "x"}, raise_on_error=False)
        unknown = await c.call_tool("format_disk", {}, raise_on_error=False)
        invalid = await c.call_tool("whoami", {"extra": 1}, raise_on_error=False)
    assert denied.is_error and denied.meta["io.mcp-platform/error"] == {
        "kind": "denied",
        "action": "write",
        "resource": "catalyst-center",
    }
    assert unknown.meta["io.mcp-platform/error"]["kind"] == "unknown_tool"
    assert invalid.meta["io.mcp-platform/error"]["kind"] == "invalid_arguments"
