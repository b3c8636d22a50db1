"""Fixtures: the ServiceNow simulator, and the whole chain in front of it.

Full chain: dev IdP token -> the ServiceNow MCP server over HTTP -> RegoAuthorizer on the real
policy -> credentials from OpenBao (AppRole) at `api/servicenow` -> the simulator.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.client import CallToolResult
from fastmcp.client.transports import StreamableHttpTransport

from mcp_sandbox.idp_server import IdpServer
from mcp_sandbox.openbao import OpenBaoDevServer
from mcp_sandbox.serve import BackgroundServer
from mcp_sandbox.servicenow import create_servicenow_app

ROOT = Path(__file__).resolve().parents[2]
SN_USER = "integration"
SN_PASSWORD = f"sn-password-{uuid.uuid4().hex}"
SN_CLIENT_ID = "mcp-platform"
SN_CLIENT_SECRET = f"sn-client-secret-{uuid.uuid4().hex}"
SECRET_PATH = "api/servicenow"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the server must know its URL before it starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Simulator:
    """The running simulator and its admin endpoints (`/sandbox/*`)."""

    def __init__(self, server: BackgroundServer) -> None:
        self.server = server
        self.url = server.url
        self.user, self.password = SN_USER, SN_PASSWORD
        self.client_id, self.client_secret = SN_CLIENT_ID, SN_CLIENT_SECRET
        self.http = httpx.Client(base_url=server.url, timeout=10)

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.post(f"/sandbox/{path}", json=body or {})
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self.admin("reset")

    def fault(self, **fault: Any) -> None:
        """Arm a fault, e.g. fault(path_prefix="/api", status=429, retry_after=0)."""
        self.admin("faults", fault)

    def clear_faults(self) -> None:
        self.admin("faults/clear")

    def expire_tokens(self) -> int:
        return int(self.admin("tokens/expire")["expired"])

    def approve(self, change: str, approver: str | None = None) -> Any:
        body = {"approver": approver} if approver else {}
        return self.admin(f"changes/{change}/approve", body)

    def stats(self) -> dict[str, Any]:
        response = self.http.get("/sandbox/stats")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def clear_stats(self) -> None:
        self.admin("stats/clear")

    def requests(self, key: str) -> int:
        """How many requests `METHOD /path` the simulator served (sys_ids as `{sys_id}`)."""
        return int(self.stats()["requests"].get(key, 0))

    def basic(self) -> httpx.Client:
        """A direct client as the integration user (to check what the tools did)."""
        return httpx.Client(base_url=self.url, auth=(SN_USER, SN_PASSWORD), timeout=10)


@pytest.fixture(scope="module")
def simulator(serve: Callable[..., BackgroundServer]) -> Simulator:
    """One simulated instance (OAuth enabled) for the test module."""
    app = create_servicenow_app(
        username=SN_USER, password=SN_PASSWORD, client_id=SN_CLIENT_ID,
        client_secret=SN_CLIENT_SECRET,
    )  # fmt: skip
    return Simulator(serve(app))


class Stack:
    """The ServiceNow MCP server on HTTP, and tokens for every demo identity."""

    def __init__(self, url: str, idp: IdpServer, simulator: Simulator) -> None:
        self.url = url
        self.idp = idp
        self.simulator = simulator
        self._tokens: dict[str, str] = {}

    def token(self, identity: str) -> str:
        if identity not in self._tokens:
            if identity == "unknown":
                self._tokens[identity] = self.idp.mint(
                    "developer", groups=["unknown"], realm_access={"roles": ["unknown"]}
                )
            else:
                self._tokens[identity] = self.idp.token(identity)
        return self._tokens[identity]

    def client(self, identity: str = "service-desk") -> Client[Any]:
        return Client(StreamableHttpTransport(self.url, auth=self.token(identity)))

    async def call(
        self, tool: str, args: dict[str, Any], identity: str = "service-desk"
    ) -> CallToolResult:
        """Call a tool; errors come back as results (`is_error`, text in content)."""
        async with self.client(identity) as c:
            return await c.call_tool(tool, args, raise_on_error=False)

    async def data(self, tool: str, args: dict[str, Any], identity: str = "service-desk") -> Any:
        """Call a tool that must succeed; its structured result."""
        result = await self.call(tool, args, identity)
        assert not result.is_error, error_text(result)
        return result.structured_content

    async def error(self, tool: str, args: dict[str, Any], identity: str = "service-desk") -> str:
        """Call a tool that must fail; its error text."""
        result = await self.call(tool, args, identity)
        assert result.is_error, result.structured_content
        return error_text(result)


def error_text(result: CallToolResult) -> str:
    return " ".join(getattr(part, "text", "") for part in result.content)


def build_settings(idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path, port: int) -> Any:
    """Server settings as the launcher would give them (AppRole, embedded policy)."""
    from mcp_service_now.settings import ServiceNowSettings

    hcl = (ROOT / "common-services/vault/policies/mcp-server.hcl").read_text()
    role_id, secret_id = openbao.enable_approle(
        "mcp-service-now", ["mcp-server"], {"mcp-server": hcl}
    )
    return ServiceNowSettings(
        port=port, oidc_issuer=idp.issuer, oidc_audience=idp.audience,
        vault_addr=openbao.addr, vault_auth="approle", vault_role_id=role_id,
        vault_secret_id=secret_id, policy_path=str(policy_path), rate_limit_per_minute=0,
        servicenow_retries=2, servicenow_backoff=0.01, servicenow_timeout=5.0,
    )  # fmt: skip


@pytest.fixture(scope="module")
def stack(
    idp: IdpServer,
    openbao: OpenBaoDevServer,
    serve: Callable[..., BackgroundServer],
    policy_path: Path,
    simulator: Simulator,
) -> Stack:
    """The server built by `build(settings)` with real components, in front of the simulator."""
    from mcp_service_now.server import build

    openbao.seed({SECRET_PATH: {
        "instance_url": simulator.url, "username": SN_USER, "password": SN_PASSWORD,
        "client_id": SN_CLIENT_ID, "client_secret": SN_CLIENT_SECRET, "verify_tls": "true",
    }})  # fmt: skip
    port = free_port()
    platform = build(build_settings(idp, openbao, policy_path, port))
    server = serve(platform.http_app(), port)
    return Stack(f"{server.url}/mcp", idp, simulator)


@pytest.fixture
def fresh(simulator: Simulator) -> Simulator:
    """The simulator back to its seeded data, without faults, counters at zero."""
    simulator.reset()
    return simulator
