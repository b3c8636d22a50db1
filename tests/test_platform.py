"""`make up` as a user meets it: everything starts, endpoints.json is right, tokens work.

Runs the real launcher (`platform_launcher.platform.LocalPlatform`) on free ports: the dev
issuer, OpenBao seeded through AppRole, the backend simulators and every MCP server
package present, each as its own process.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from platform_launcher.platform import (
    PROXY_VAULT_ROLE,
    SERVERS,
    WORKER_VAULT_ROLE,
    LocalPlatform,
    available_servers,
)
from platform_launcher.token import main as token_command
from platform_testkit.plugin import OPERATOR_SETTING

EXPECTED_VISIBLE = {
    # identity -> servers on which it sees at least one tool
    "admin": {"catalyst-center", "servicenow", "github", "radkit", "workflows"},
    "developer": {"github"},
    "service-desk": {"catalyst-center", "servicenow", "workflows"},
    # Network engineers see ServiceNow's change-record tools: the worker opens and updates
    # their changes with their rights, never more (policy.rego, delegation).
    "network-engineer": {"catalyst-center", "radkit", "servicenow", "workflows"},
}


@pytest.fixture(scope="module")
def platform(launched_platform: LocalPlatform) -> tuple[LocalPlatform, Path]:
    """The session's launched platform (`platform_testkit`), shared with other modules."""
    return launched_platform, launched_platform.state_dir


def test_endpoints_json_lists_issuer_and_every_server(platform: tuple[LocalPlatform, Path]) -> None:
    _, state = platform
    endpoints = json.loads((state / "endpoints.json").read_text())
    assert endpoints["issuer"].startswith("http://127.0.0.1:")
    assert set(endpoints["servers"]) == {s.name for s in available_servers()}
    for url in endpoints["servers"].values():
        assert url.endswith("/mcp")
    assert endpoints["rest-api-proxy"].startswith("http://127.0.0.1:")
    assert httpx.get(f"{endpoints['issuer']}/.well-known/openid-configuration").status_code == 200


def test_progress_is_shown_step_by_step(platform: tuple[LocalPlatform, Path]) -> None:
    local, _ = platform
    lines = local.progress_lines  # type: ignore[attr-defined]
    assert lines[0].startswith("[1/") and "identity provider" in lines[0]
    assert any("OpenBao" in line for line in lines)


def _make_token(state: Path, identity: str, server: str = "rest-api-proxy") -> str:
    """`make token ID=identity SERVER=server`, as a command."""
    env = {**os.environ, "MCP_PLATFORM_ENDPOINTS": str(state / "endpoints.json")}
    done = subprocess.run(
        [sys.executable, "-m", "platform_launcher.token", identity, server],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _token(state: Path, identity: str, server: str = "rest-api-proxy") -> str:
    """What `make token ID=identity SERVER=server` prints (each server accepts only tokens for
    itself), run in this process: a new interpreter per token took ~5 s on a slow machine."""
    printed = io.StringIO()
    endpoints = {"MCP_PLATFORM_ENDPOINTS": str(state / "endpoints.json")}
    with mock.patch.dict(os.environ, endpoints), contextlib.redirect_stdout(printed):
        assert token_command([identity, server]) == 0
    return printed.getvalue().strip()


def test_a_setting_in_make_ups_environment_reaches_every_service_it_starts(
    platform: tuple[LocalPlatform, Path],
) -> None:
    # Operators and benchmarks tune the platform by giving `make up` MCP_ variables.
    local, _ = platform
    name, value = OPERATOR_SETTING
    others = {"rest-api-proxy", "console", "temporal-worker"}
    services = [s for s in local.processes if s.startswith("mcp-") or s in others]
    assert {"mcp-catalyst-center", "rest-api-proxy", "console"} <= set(services)
    for service in services:
        with open(f"/proc/{local.processes[service].pid}/environ", "rb") as environ:
            seen = dict(
                item.split("=", 1) for item in environ.read().decode().split("\0") if "=" in item
            )
        assert seen.get(name) == value, service


def test_make_token_prints_a_token(platform: tuple[LocalPlatform, Path]) -> None:
    _, state = platform
    token = _make_token(state, "network-engineer-mfa")
    assert token.count(".") == 2


def test_make_token_refuses_an_unknown_identity(platform: tuple[LocalPlatform, Path]) -> None:
    _, state = platform
    env = {**os.environ, "MCP_PLATFORM_ENDPOINTS": str(state / "endpoints.json")}
    done = subprocess.run(
        [sys.executable, "-m", "platform_launcher.token", "mallory"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2 and "identities:" in done.stderr


@pytest.mark.parametrize("identity", sorted(EXPECTED_VISIBLE))
async def test_each_identity_sees_tools_where_the_policy_allows(
    platform: tuple[LocalPlatform, Path], identity: str
) -> None:
    local, state = platform
    seen: set[str] = set()
    for name, url in local.endpoints["servers"].items():
        token = _token(state, identity, name)
        async with Client(StreamableHttpTransport(url, auth=token)) as client:
            tools: list[Any] = await client.list_tools()
        if tools:
            seen.add(name)
    assert seen == EXPECTED_VISIBLE[identity] & set(local.endpoints["servers"])


def test_a_token_for_one_server_is_refused_by_every_other(
    platform: tuple[LocalPlatform, Path],
) -> None:
    local, state = platform
    servers = local.endpoints["servers"]
    token = _token(state, "admin", "catalyst-center")
    for name, url in servers.items():
        answer = httpx.post(
            url,
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json, text/event-stream",
            },
            timeout=10,
        )
        expected = 200 if name == "catalyst-center" else 401
        assert answer.status_code == expected, (name, answer.text)
        if expected == 401:
            assert "resource_metadata" in answer.headers["www-authenticate"]


def test_servers_are_ready_with_keys_policy_and_vault(platform: tuple[LocalPlatform, Path]) -> None:
    local, _ = platform
    for url in local.endpoints["servers"].values():
        ready = httpx.get(url.removesuffix("/mcp") + "/readyz")
        assert ready.status_code == 200, ready.text


def _environment(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
    return dict(item.split("=", 1) for item in raw.split("\0") if "=" in item)


def test_each_service_logs_in_to_vault_with_a_role_of_its_own(
    platform: tuple[LocalPlatform, Path],
) -> None:
    """Least privilege: one AppRole (and policy) per process, none shared, no root token."""
    local, _ = platform
    assert local.vault is not None
    if not Path(f"/proc/{os.getpid()}/environ").exists():
        pytest.skip("needs Linux /proc")
    expected = {f"mcp-{s.name}": s.vault_role for s in SERVERS}
    expected |= {"temporal-worker": WORKER_VAULT_ROLE, "rest-api-proxy": PROXY_VAULT_ROLE}
    role_of_id = {role_id: role for role, (role_id, _) in local.approles.items()}
    seen: dict[str, str] = {}
    for name, process in local.processes.items():
        env = _environment(process.pid)
        assert local.vault.root_token not in env.values(), f"{name} got the root token"
        if name in expected:
            seen[name] = role_of_id[env["MCP_VAULT_ROLE_ID"]]
            assert env["MCP_VAULT_SECRET_ID"] == local.approles[seen[name]][1]
    assert {f"mcp-{s.name}" for s in available_servers()} <= set(seen)
    assert seen == {name: expected[name] for name in seen}
    assert len(set(seen.values())) == len(seen), "a role is shared"
    for role in set(seen.values()):  # each role's tokens carry its own policy only
        role_id, secret_id = local.approles[role]
        login = httpx.post(
            f"{local.vault.addr}/v1/auth/approle/login",
            json={"role_id": role_id, "secret_id": secret_id},
        )
        assert login.json()["auth"]["policies"] == [role]


def test_the_rest_proxy_serves_legacy_clients_with_the_callers_identity(
    platform: tuple[LocalPlatform, Path],
) -> None:
    local, state = platform
    proxy = local.endpoints["rest-api-proxy"]
    token = _token(state, "service-desk")
    headers = {"Authorization": f"Bearer {token}"}
    listed = httpx.get(f"{proxy}/api/v1/mcp/servicenow/tools", headers=headers, timeout=10)
    assert listed.status_code == 200, listed.text
    assert "search_incidents" in {t["name"] for t in listed.json()["tools"]}
    called = httpx.post(
        f"{proxy}/api/v1/mcp/servicenow/tools/search_incidents",
        json={"arguments": {}},
        headers=headers,
        timeout=30,
    )
    assert called.status_code == 200, called.text
    assert called.json()["status"] == "success"
    assert httpx.get(f"{proxy}/api/v1/mcp/servicenow/tools").status_code == 401


@pytest.mark.parametrize(
    ("identity", "path", "body", "status"),
    [
        (None, "servicenow/tools/search_incidents", {"arguments": {}}, 401),
        ("network-engineer", "servicenow/tools/search_incidents", {"arguments": {}}, 403),
        ("service-desk", "servicenow/tools/approve_change", {"arguments": {}}, 404),
        ("service-desk", "nowhere/tools/anything", {"arguments": {}}, 404),
        ("service-desk", "servicenow/tools/get_incident", {"arguments": {"nope": 1}}, 422),
    ],
    ids=["no-token", "denied", "unknown-tool", "unknown-server", "bad-arguments"],
)
def test_the_rest_proxy_errors_through_the_real_stack(
    platform: tuple[LocalPlatform, Path], identity: str | None, path: str, body: dict, status: int
) -> None:
    local, state = platform
    headers = {"Authorization": f"Bearer {_token(state, identity)}"} if identity else {}
    answer = httpx.post(
        f"{local.endpoints['rest-api-proxy']}/api/v1/mcp/{path}",
        json=body,
        headers=headers,
        timeout=30,
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["status"] == status


def test_a_backend_failure_is_502_with_the_tools_message(
    platform: tuple[LocalPlatform, Path],
) -> None:
    local, state = platform
    simulator = local.endpoints["backends"]["servicenow"]
    fault = {"path_prefix": "/api/now/table/incident", "status": 500, "count": 20}
    assert httpx.post(f"{simulator}/sandbox/faults", json=fault).status_code < 300
    try:
        answer = httpx.post(
            f"{local.endpoints['rest-api-proxy']}/api/v1/mcp/servicenow/tools/search_incidents",
            json={"arguments": {}},
            headers={"Authorization": f"Bearer {_token(state, 'service-desk')}"},
            timeout=60,
        )
    finally:
        httpx.post(f"{simulator}/sandbox/faults/clear")
    assert answer.status_code == 502, answer.text
    assert "servicenow" in answer.json()["detail"].lower()


def test_a_backend_429_reaches_the_legacy_client_as_429_with_retry_after(
    platform: tuple[LocalPlatform, Path],
) -> None:
    local, state = platform
    simulator = local.endpoints["backends"]["servicenow"]
    # Longer than the server's retry budget: the server gives up at once and says so.
    fault = {"path_prefix": "/api/now/table/incident", "status": 429, "count": 5,
             "retry_after": 120}  # fmt: skip
    assert httpx.post(f"{simulator}/sandbox/faults", json=fault).status_code < 300
    try:
        answer = httpx.post(
            f"{local.endpoints['rest-api-proxy']}/api/v1/mcp/servicenow/tools/search_incidents",
            json={"arguments": {}},
            headers={"Authorization": f"Bearer {_token(state, 'service-desk')}"},
            timeout=60,
        )
    finally:
        httpx.post(f"{simulator}/sandbox/faults/clear")
    assert answer.status_code == 429, answer.text
    assert int(answer.headers["retry-after"]) >= 100
