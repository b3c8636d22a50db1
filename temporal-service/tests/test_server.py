"""The workflows MCP server over HTTP: real IdP, the real policy, the Temporal dev server.

The worker behind it runs with the in-memory platform, so these tests are about the tools:
who may start, follow and cancel a deployment, and that the requester comes from the token.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from dev_idp import IdpServer
from dev_idp.identities import subject_for
from mcp_common.testing import StaticSecretStore
from simulator_kit.serve import BackgroundServer
from temporal_service.activities import DeploymentActivities
from temporal_service.server import build
from temporal_service.settings import WorkflowSettings
from temporal_service.workflows import TemplateDeploymentWorkflow

from .conftest import free_port, text_of
from .fakes import DEVICES, TEMPLATE_ID, FakePlatformTools

ARGS = {
    "template_id": TEMPLATE_ID,
    "device_ids": list(DEVICES),
    "params": {"ntp_primary": "10.0.0.123"},
    "reason": "Regional NTP servers changed (INC0010042)",
}
ALL = {"start_template_deployment", "get_deployment_status", "cancel_deployment"}


class Stack:
    """The workflows server's URL, the issuer, Temporal, and the current fake platform."""

    def __init__(self, url: str, idp: IdpServer, env: WorkflowEnvironment, queue: str) -> None:
        self.url, self.idp, self.env, self.queue = url, idp, env, queue
        self.fake = FakePlatformTools()

    async def call(self, identity: str, tool: str, args: dict[str, Any]) -> Any:
        from fastmcp import Client
        from fastmcp.client.transports import StreamableHttpTransport

        async with Client(StreamableHttpTransport(self.url, auth=self.idp.token(identity))) as c:
            return await c.call_tool(tool, args, raise_on_error=False)

    async def data(self, identity: str, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        result = await self.call(identity, tool, args)
        assert not result.is_error, text_of(result)
        data: dict[str, Any] = result.structured_content
        return data

    async def tools(self, identity: str) -> set[str]:
        from fastmcp import Client
        from fastmcp.client.transports import StreamableHttpTransport

        async with Client(StreamableHttpTransport(self.url, auth=self.idp.token(identity))) as c:
            return {t.name for t in await c.list_tools()}

    async def until(self, workflow_id: str, step: str) -> dict[str, Any]:
        for _ in range(200):
            status = await self.data("admin", "get_deployment_status", {"workflow_id": workflow_id})
            if status["step"] == step:
                return status
            await asyncio.sleep(0.05)
        raise AssertionError(f"never reached {step}: {status}")


@pytest.fixture(scope="module")
def stack(
    idp: IdpServer,
    dev_server: WorkflowEnvironment,
    serve: Callable[..., BackgroundServer],
    policy_path: Path,
) -> Iterator[Stack]:
    settings = WorkflowSettings(
        port=free_port(),
        oidc_issuer=idp.issuer,
        oidc_audience=idp.audience,
        policy_path=str(policy_path),
        secrets_backend="file",
        secrets_file="/dev/null",
        rate_limit_per_minute=0,
        temporal_task_queue="server-tests",
        approval_poll_initial_seconds=0.1,
        approval_poll_max_seconds=0.2,
    )
    platform = build(settings, secrets=StaticSecretStore({}), temporal=dev_server.client)
    server = serve(platform.http_app(), settings.port)
    yield Stack(f"{server.url}/mcp", idp, dev_server, settings.temporal_task_queue)


@pytest_asyncio.fixture
async def running(stack: Stack) -> AsyncIterator[Stack]:
    """A worker with a fresh in-memory platform for one test."""
    stack.fake = FakePlatformTools()
    activities = DeploymentActivities(stack.fake).all()
    async with Worker(
        stack.env.client,
        task_queue=stack.queue,
        workflows=[TemplateDeploymentWorkflow],
        activities=activities,
    ):
        yield stack


@pytest.mark.parametrize(
    ("identity", "visible"),
    [
        ("admin", ALL),
        ("network-engineer-mfa", ALL),
        ("network-engineer", {"get_deployment_status"}),
        ("service-desk", {"get_deployment_status"}),
        ("developer", set()),
        ("temporal-worker", set()),
    ],
)
async def test_each_caller_sees_only_the_tools_the_policy_grants(
    stack: Stack, identity: str, visible: set[str]
) -> None:
    assert await stack.tools(identity) == visible


@pytest.mark.parametrize(
    "identity",
    [
        "network-engineer",  # the right group, no MFA
        "service-desk",  # MFA, not the right group
        "developer",  # neither
        "temporal-worker",  # automation never starts deployments
    ],
)
async def test_a_deployment_is_refused_without_the_right_group_or_mfa(
    running: Stack, identity: str
) -> None:
    result = await running.call(identity, "start_template_deployment", ARGS)
    assert result.is_error
    assert "Access denied" in text_of(result)
    assert running.fake.calls == []


async def test_the_requester_is_the_verified_caller_not_an_argument(running: Stack) -> None:
    forged = await running.call(
        "network-engineer-mfa", "start_template_deployment", {**ARGS, "requested_by": "admin"}
    )
    assert forged.is_error
    started = await running.data("network-engineer-mfa", "start_template_deployment", ARGS)
    assert started["status"] == "started"
    assert started["requested_by"] == "network-engineer-mfa"
    waiting = await running.until(started["workflow_id"], "awaiting_approval")
    assert waiting["requested_by"] == subject_for("network-engineer-mfa")
    assert "network-engineer-mfa" in running.fake.only_change().spec.description
    await running.call(
        "admin", "cancel_deployment", {"workflow_id": started["workflow_id"], "reason": "test done"}
    )


async def test_cancel_before_deployment_is_accepted_and_cancels_the_change(
    running: Stack,
) -> None:
    started = await running.data("admin", "start_template_deployment", ARGS)
    workflow_id = started["workflow_id"]
    await running.until(workflow_id, "awaiting_approval")
    answer = await running.data(
        "network-engineer-mfa",
        "cancel_deployment",
        {"workflow_id": workflow_id, "reason": "wrong maintenance window"},
    )
    assert answer["accepted"] is True
    done = await running.until(workflow_id, "done")
    assert done["outcome"] == "canceled" and "wrong maintenance window" in done["message"]
    assert running.fake.only_change().state == "canceled"
    again = await running.data(
        "admin", "cancel_deployment", {"workflow_id": workflow_id, "reason": "twice"}
    )
    assert again["accepted"] is False and "ended" in again["message"]


async def test_cancel_after_deployment_started_is_refused_with_the_reason(
    running: Stack,
) -> None:
    running.fake.deploy_gate = asyncio.Event()
    started = await running.data("admin", "start_template_deployment", ARGS)
    workflow_id = started["workflow_id"]
    await running.until(workflow_id, "awaiting_approval")
    running.fake.approve()
    await running.until(workflow_id, "deploying")
    answer = await running.data(
        "admin", "cancel_deployment", {"workflow_id": workflow_id, "reason": "too late"}
    )
    assert answer["accepted"] is False
    assert "refused" in answer["message"] and "deploying" in answer["message"]
    running.fake.deploy_gate.set()
    done = await running.until(workflow_id, "done")
    assert done["outcome"] == "completed"


async def test_the_same_idempotency_key_returns_the_same_deployment(running: Stack) -> None:
    args = {**ARGS, "idempotency_key": "chg-req-42"}
    first = await running.data("network-engineer-mfa", "start_template_deployment", args)
    second = await running.data("network-engineer-mfa", "start_template_deployment", args)
    other = await running.data("admin", "start_template_deployment", args)
    assert first["workflow_id"] == second["workflow_id"] != other["workflow_id"]
    assert (first["status"], second["status"]) == ("started", "already_started")
    for workflow_id in (first["workflow_id"], other["workflow_id"]):
        await running.call(
            "admin", "cancel_deployment", {"workflow_id": workflow_id, "reason": "test done"}
        )


@pytest.mark.parametrize(
    ("workflow_id", "message"),
    [
        ("template-deployment-00000000-0000-4000-8000-000000000000", "no template deployment"),
        ("not-a-deployment", "validation error"),
    ],
)
async def test_status_of_an_unknown_deployment_is_a_clear_error(
    stack: Stack, workflow_id: str, message: str
) -> None:
    result = await stack.call("admin", "get_deployment_status", {"workflow_id": workflow_id})
    assert result.is_error and message in text_of(result).lower()
