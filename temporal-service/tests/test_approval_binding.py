"""Approvals bound to the exact change (time-skipping server, in-memory platform).

The change carries each device's rendered configuration and their SHA-256; deployment
proceeds only when what is about to deploy hashes to what the CAB approved.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from mcp_common.observability import AUDIT_LOGGER, EcsJsonFormatter
from temporal_service.activities import DeploymentActivities, PreviewInfo
from temporal_service.approval import DeviceRendering, binding_digest
from temporal_service.workflows import TemplateDeploymentWorkflow

from .fakes import DEVICES, NTP_REQUEST, TEMPLATE_ID, FakePlatformTools

REQUEST = NTP_REQUEST


class EditablePlatform(FakePlatformTools):
    """The fake platform, whose template body can be edited, and which names approvers."""

    def __init__(self) -> None:
        super().__init__()
        self.edited = False

    async def preview_template(
        self, template_id: str, params: Mapping[str, Any], device_id: str, *, on_behalf_of: str
    ) -> PreviewInfo:
        preview = await super().preview_template(
            template_id, params, device_id, on_behalf_of=on_behalf_of
        )
        if self.edited:  # someone changed the template's body after the CAB approved
            return PreviewInfo(True, (), preview.cli + "\nntp server 192.0.2.66")
        return preview

    async def change_approvers(self, sys_id: str, *, on_behalf_of: str) -> Sequence[str]:
        return ["cab.approver"] if self.changes[sys_id].approval == "approved" else []


@pytest.fixture
def audit_log() -> Iterator[io.StringIO]:
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(EcsJsonFormatter())
    logger = logging.getLogger(AUDIT_LOGGER)
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield sink
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest_asyncio.fixture
async def platform(
    time_skipping: WorkflowEnvironment,
) -> AsyncIterator[tuple[EditablePlatform, str]]:
    fake = EditablePlatform()
    queue = f"tq-{uuid.uuid4()}"
    async with Worker(
        time_skipping.client,
        task_queue=queue,
        workflows=[TemplateDeploymentWorkflow],
        activities=DeploymentActivities(fake).all(),
    ):
        yield fake, queue


async def run_to_approval(env: WorkflowEnvironment, fake: EditablePlatform, queue: str) -> Any:
    handle = await env.client.start_workflow(
        TemplateDeploymentWorkflow.run,
        REQUEST,
        id=f"template-deployment-{uuid.uuid4()}",
        task_queue=queue,
    )
    for _ in range(300):
        status = await handle.query(TemplateDeploymentWorkflow.status)
        if status.workflow_step == "awaiting_approval":
            return handle
        await asyncio.sleep(0.02)
    raise AssertionError(f"never reached the approval wait: {status}")


def expected_digest(fake: EditablePlatform) -> str:
    cli = "ntp server 10.0.0.123 prefer"
    renderings = [DeviceRendering(i, hostname, cli) for i, (hostname, _) in DEVICES.items()]
    return binding_digest(TEMPLATE_ID, 2, "v2", dict(REQUEST.params), renderings)


def audit_events(sink: io.StringIO, action: str) -> list[dict[str, Any]]:
    events = [json.loads(line) for line in sink.getvalue().splitlines() if line]
    return [e for e in events if e.get("event.action") == action]


async def test_the_change_carries_every_rendering_and_the_digest_it_deploys_under(
    time_skipping: WorkflowEnvironment,
    platform: tuple[EditablePlatform, str],
    audit_log: io.StringIO,
) -> None:
    fake, queue = platform
    handle = await run_to_approval(time_skipping, fake, queue)
    digest = expected_digest(fake)
    change = fake.only_change()
    for hostname, _ in DEVICES.values():
        assert f"--- {hostname} (" in change.spec.implementation_plan
    assert f"SHA-256: {digest}" in change.spec.implementation_plan
    fake.approve()
    result = await handle.result()
    assert result.status == "completed", result.reason
    assert (result.approval_sha256, result.approvers) == (digest, ["cab.approver"])
    [check] = audit_events(audit_log, "workflow.approval.check")
    assert check["event.outcome"] == "success"
    assert check["change.number"] == change.number
    assert check["change.approvers"] == ["cab.approver"]
    assert check["approval.sha256"] == check["deployment.sha256"] == digest
    assert any(digest in note and "cab.approver" in note for note in change.work_notes)


async def test_a_template_edited_after_approval_stops_the_deployment(
    time_skipping: WorkflowEnvironment,
    platform: tuple[EditablePlatform, str],
    audit_log: io.StringIO,
) -> None:
    fake, queue = platform
    handle = await run_to_approval(time_skipping, fake, queue)
    fake.approve()
    fake.edited = True  # between the CAB's approval and the workflow's next look
    result = await handle.result()
    assert result.status == "approval_mismatch"
    assert "no longer matches what the CAB approved" in result.reason
    assert result.ticket_id in result.reason
    assert fake.deployments == []  # nothing reached a device
    change = fake.only_change()
    assert change.state == "canceled"
    assert any("no longer matches" in note for note in change.work_notes)
    [check] = audit_events(audit_log, "workflow.approval.check")
    assert check["event.outcome"] == "failure"
    assert check["change.approvers"] == ["cab.approver"]
    assert check["approval.sha256"] == expected_digest(fake)
    assert check["deployment.sha256"] != check["approval.sha256"]
