"""The clients LLM agents use reach every MCP server over streamable HTTP, with the caller's
own token from the development issuer: LangChain's `MultiServerMCPClient` (in its own
environment, `examples/langgraph-agent`, because it needs mcp<2) and the FastMCP client.

The servers are built with `mcp_common.create_server` (real issuer, real policy, stateless
JSON transport), one per resource the demo identities touch; their addresses are written in
the shape of `.platform/endpoints.json`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from dev_idp import IdpServer
from dev_idp.identities import subject_for
from mcp_common import CommonSettings, Toolset, create_server, current_principal
from mcp_common.auth import OIDCVerifier
from mcp_common.policy import RegoAuthorizer
from mcp_common.testing import StaticSecretStore
from simulator_kit.serve import BackgroundServer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "langgraph-agent"
PYTHON = EXAMPLE / ".venv" / "bin" / "python"
# Demo servers: (name = policy resource, its tools)
SERVERS = ("catalyst-center", "servicenow", "github")
OFFLINE = ("Failed to fetch", "failed to download", "Could not connect", "dns error", "Network")


def toolset(resource: str) -> Toolset:
    """A read tool without arguments (who am I), one with, and a write tool."""
    ts = Toolset(resource)

    @ts.tool(action="read")
    async def whoami() -> dict[str, Any]:
        """Who the server thinks is calling."""
        p = current_principal()
        assert p is not None
        return {"server": resource, "subject": p.subject, "groups": sorted(p.groups)}

    @ts.tool(action="read")
    async def lookup(key: str) -> str:
        """Look a key up."""
        return f"{resource}:{key}"

    @ts.tool(action="write")
    async def change(value: str) -> str:
        """Change something."""
        return f"changed {value}"

    return ts


def free_port() -> int:
    """A port free on 127.0.0.1 now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def endpoints(
    idp: IdpServer,
    serve: Callable[..., BackgroundServer],
    policy_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    servers: dict[str, str] = {}
    for name in SERVERS:
        port = free_port()
        settings = CommonSettings(
            port=port,
            service_name=f"mcp-{name}",
            oidc_issuer=idp.issuer,
            oidc_audience=idp.audience,
            secrets_backend="file",
            secrets_file="unused",
            policy_path=str(policy_path),
            rate_limit_per_minute=0,
        )
        platform = create_server(
            settings,
            name=name,
            resource=name,
            toolsets=[toolset(name)],
            verifier=OIDCVerifier(idp.issuer, idp.audience),
            authorizer=RegoAuthorizer(policy_path),
            secrets=StaticSecretStore({}),
        )
        servers[name] = f"{serve(platform.http_app(), port).url}/mcp"
    path = tmp_path_factory.mktemp("platform") / "endpoints.json"
    path.write_text(
        json.dumps(
            {
                "issuer": idp.issuer,
                "token_endpoint": f"{idp.issuer}/token",
                "audience": idp.audience,
                "servers": servers,
            }
        )
    )
    return path


@pytest.fixture(scope="module")
def example_python() -> Path:
    """The example's own environment, built from its lock file."""
    done = subprocess.run(
        # `uv run` exports its own path as UV (make installs uv under .tools/ when absent).
        [
            os.environ.get("UV") or shutil.which("uv") or "uv",
            "sync",
            "--frozen",
            "--project",
            str(EXAMPLE),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        if any(marker in done.stderr for marker in OFFLINE):
            pytest.skip(f"package index unreachable, cannot build {EXAMPLE.name}'s environment")
        pytest.fail(f"uv sync failed: {done.stderr[-2000:]}")
    return PYTHON


def run_example(
    python: Path, script: str, endpoints: Path, token: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run one of the example's scripts in its environment."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))
    }
    environ.update(MCP_PLATFORM_ENDPOINTS=str(endpoints), MCP_TOKEN=token, **env)
    return subprocess.run(
        [str(python), str(EXAMPLE / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=EXAMPLE,
        env=environ,
        check=False,
    )


def test_multiserver_client_lists_and_calls_a_tool_on_every_server(
    example_python: Path, endpoints: Path, idp: IdpServer
) -> None:
    done = run_example(example_python, "check_servers.py", endpoints, idp.token("admin"))
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert set(report) == set(SERVERS)
    for name, entry in report.items():
        assert set(entry["tools"]) == {"whoami", "lookup", "change"}, entry
        assert entry["called"] == "whoami" and entry["ok"], entry
        assert entry["result"] == {
            "server": name,
            "subject": subject_for("admin"),
            "groups": ["admin"],
        }


def test_multiserver_client_sees_only_what_the_caller_may_call(
    example_python: Path, endpoints: Path, idp: IdpServer
) -> None:
    done = run_example(example_python, "check_servers.py", endpoints, idp.token("developer"))
    report = json.loads(done.stdout)
    assert report["github"]["ok"] and report["github"]["result"]["subject"] == subject_for(
        "developer"
    )
    assert report["catalyst-center"]["tools"] == [] and not report["catalyst-center"]["ok"]
    assert done.returncode == 1  # the report says which servers it could not use


def test_the_langgraph_agent_calls_a_tool_with_a_scripted_model(
    example_python: Path, endpoints: Path, idp: IdpServer
) -> None:
    script = [{"tool": "servicenow_lookup", "args": {"key": "INC0010001"}}, "It is found."]
    done = run_example(
        example_python,
        "agent.py",
        endpoints,
        idp.token("service-desk"),
        "Find INC0010001",
        AGENT_CHAT_MODEL="scripted",
        AGENT_SCRIPT=json.dumps(script),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["answer"] == "It is found."
    assert "servicenow_lookup" in result["tools"] and "github_whoami" not in result["tools"]
    [call] = result["tool_results"]
    assert call["tool"] == "servicenow_lookup" and call["status"] == "success"
    assert "servicenow:INC0010001" in json.dumps(call["content"])


@pytest.fixture(scope="module")
def server_urls(endpoints: Path) -> dict[str, str]:
    urls: dict[str, str] = json.loads(endpoints.read_text())["servers"]
    return urls


async def test_the_fastmcp_client_lists_and_calls_a_tool_on_every_server(
    server_urls: dict[str, str], idp: IdpServer
) -> None:
    token = idp.token("admin")
    for name, url in server_urls.items():
        async with Client(StreamableHttpTransport(url, auth=token)) as client:
            assert {t.name for t in await client.list_tools()} == {"whoami", "lookup", "change"}
            result = await client.call_tool("whoami", {})
        assert result.structured_content == {
            "server": name,
            "subject": subject_for("admin"),
            "groups": ["admin"],
        }


def test_the_example_is_not_a_workspace_member() -> None:
    # It needs mcp<2; the workspace has fastmcp 4 (mcp 2): they must not share a lock.
    workspace = (ROOT / "pyproject.toml").read_text()
    assert "examples/langgraph-agent" not in workspace
    assert (EXAMPLE / "uv.lock").exists() and sys.version_info >= (3, 11)
