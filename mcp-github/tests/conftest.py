"""Fixtures: the GitHub simulator, and the whole chain in front of it.

Full chain: dev IdP token -> the GitHub MCP server over HTTP -> RegoAuthorizer on the real
policy -> the token from OpenBao (AppRole) at `api/github` -> the simulator.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.client import CallToolResult
from fastmcp.client.transports import StreamableHttpTransport

from mcp_sandbox.github import create_github_app
from mcp_sandbox.idp_server import IdpServer
from mcp_sandbox.openbao import OpenBaoDevServer
from mcp_sandbox.serve import BackgroundServer, free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET_PATH = "api/github"


def new_token() -> str:
    """A token shaped like a GitHub personal access token, unique per call."""
    alphabet = string.ascii_letters + string.digits
    return "ghp_" + "".join(secrets.choice(alphabet) for _ in range(36))


class Simulator:
    """The running simulator and its admin endpoints (`/sandbox/*`)."""

    def __init__(self, server: BackgroundServer, token: str) -> None:
        self.url = server.url
        self.token = token
        self.http = httpx.Client(base_url=server.url, timeout=10)

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.post(f"/sandbox/{path}", json=body or {})
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self.admin("reset")

    def fault(self, **fault: Any) -> None:
        """Arm a fault, e.g. fault(path_prefix="/repos", status=429, retry_after=0)."""
        self.admin("faults", fault)

    def clear_faults(self) -> int:
        return int(self.admin("faults/clear")["cleared"])

    def rate_limit(self, remaining: int, reset_in: float, resource: str = "core") -> Any:
        return self.admin(
            "ratelimit", {"resource": resource, "remaining": remaining, "reset_in": reset_in}
        )

    def stats(self) -> dict[str, Any]:
        response = self.http.get("/sandbox/stats")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def clear_stats(self) -> None:
        self.admin("stats/clear")

    def requests(self, key: str) -> int:
        """How many requests `METHOD /path` the simulator served."""
        return int(self.stats()["requests"].get(key, 0))

    def api(self) -> httpx.Client:
        """A direct client with the token (to check what the tools did)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)

    def secret(self) -> dict[str, str]:
        """What `api/github` holds for this simulator."""
        return {"base_url": self.url, "token": self.token, "verify_tls": "true"}


@pytest.fixture(scope="module")
def simulator(serve: Callable[..., BackgroundServer]) -> Simulator:
    """One simulated GitHub with a fresh token for the test module."""
    token = new_token()
    return Simulator(serve(create_github_app(token=token)), token)


@pytest.fixture
def fresh(simulator: Simulator) -> Simulator:
    """The simulator back to its seeded data, without faults, counters at zero."""
    simulator.reset()
    return simulator


class Stack:
    """The GitHub MCP server on HTTP, and tokens for every demo identity."""

    def __init__(self, url: str, idp: IdpServer, simulator: Simulator) -> None:
        self.url = url
        self.idp = idp
        self.simulator = simulator
        self._tokens: dict[str, str] = {}

    def token(self, identity: str) -> str:
        if identity not in self._tokens:
            self._tokens[identity] = self.idp.token(identity)
        return self._tokens[identity]

    def client(self, identity: str = "developer") -> Client[Any]:
        return Client(StreamableHttpTransport(self.url, auth=self.token(identity)))

    async def call(
        self, tool: str, args: dict[str, Any], identity: str = "developer"
    ) -> CallToolResult:
        """Call a tool; errors come back as results (`is_error`, text in content)."""
        async with self.client(identity) as c:
            return await c.call_tool(tool, args, raise_on_error=False)

    async def data(self, tool: str, args: dict[str, Any], identity: str = "developer") -> Any:
        """Call a tool that must succeed; its structured result."""
        result = await self.call(tool, args, identity)
        assert not result.is_error, error_text(result)
        return result.structured_content

    async def error(self, tool: str, args: dict[str, Any], identity: str = "developer") -> str:
        """Call a tool that must fail; its error text."""
        result = await self.call(tool, args, identity)
        assert result.is_error, result.structured_content
        return error_text(result)


def error_text(result: CallToolResult) -> str:
    return " ".join(getattr(part, "text", "") for part in result.content)


def build_settings(idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path, port: int) -> Any:
    """Server settings as the launcher would give them (AppRole, embedded policy)."""
    from mcp_github.settings import GitHubSettings

    hcl = (ROOT / "common-services/vault/policies/mcp-server.hcl").read_text()
    role_id, secret_id = openbao.enable_approle("mcp-github", ["mcp-server"], {"mcp-server": hcl})
    return GitHubSettings(
        port=port,
        oidc_issuer=idp.issuer,
        oidc_audience=idp.audience,
        vault_addr=openbao.addr,
        vault_auth="approle",
        vault_role_id=role_id,
        vault_secret_id=secret_id,
        policy_path=str(policy_path),
        rate_limit_per_minute=0,
        github_retries=2,
        github_backoff=0.01,
        github_timeout=5.0,
        github_max_file_chars=20_000,
    )


@pytest.fixture(scope="module")
def stack(
    idp: IdpServer,
    openbao: OpenBaoDevServer,
    serve: Callable[..., BackgroundServer],
    policy_path: Path,
    simulator: Simulator,
) -> Stack:
    """The server built by `build(settings)` with real components, in front of the simulator."""
    from mcp_github.server import build

    openbao.seed({SECRET_PATH: simulator.secret()})
    port = free_port()
    platform = build(build_settings(idp, openbao, policy_path, port))
    server = serve(platform.http_app(), port)
    return Stack(f"{server.url}/mcp", idp, simulator)
