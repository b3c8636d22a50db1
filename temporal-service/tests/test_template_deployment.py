"""TemplateDeploymentWorkflow on the time-skipping test server, with an in-memory platform.

Hours of waiting for the CAB pass in milliseconds; the fake records every call, so each
test can say exactly what reached ServiceNow and Catalyst Center.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from temporal_service.activities import DeploymentActivities
from temporal_service.models import (
    CancelRequest,
    DeploymentRequest,
    DeploymentResult,
    DeploymentStatus,
)
from temporal_service.workflows import TemplateDeploymentWorkflow

from .fakes import ALICE, DEVICES, NTP_REQUEST, FakePlatformTools

REQUEST = NTP_REQUEST


class Run:
    """One workflow run against a fake platform."""

    def __init__(self, env: WorkflowEnvironment, fake: FakePlatformTools, queue: str) -> None:
        self.env, self.fake, self.queue = env, fake, queue
        self.handle: WorkflowHandle[Any, DeploymentResult] | None = None

    async def start(self, request: DeploymentRequest = REQUEST) -> WorkflowHandle[Any, Any]:
        self.handle = await self.env.client.start_workflow(
            TemplateDeploymentWorkflow.run,
            request,
            id=f"template-deployment-{uuid.uuid4()}",
            task_queue=self.queue,
        )
        return self.handle

    async def status(self) -> DeploymentStatus:
        assert self.handle is not None
        status: DeploymentStatus = await self.handle.query(TemplateDeploymentWorkflow.status)
        return status

    async def reach(self, step: str) -> DeploymentStatus:
        """Wait (in real time, the clock stays put) until the workflow is at `step`."""
        for _ in range(200):
            status = await self.status()
            if status.workflow_step == step:
                return status
            await asyncio.sleep(0.02)
        raise AssertionError(f"never reached {step}; at {status.workflow_step}")

    async def result(self) -> DeploymentResult:
        assert self.handle is not None
        return await self.handle.result()


@pytest_asyncio.fixture
async def run(time_skipping: WorkflowEnvironment) -> AsyncIterator[Run]:
    fake = FakePlatformTools()
    queue = f"tq-{uuid.uuid4()}"
    activities = DeploymentActivities(fake).all()
    async with Worker(
        time_skipping.client,
        task_queue=queue,
        workflows=[TemplateDeploymentWorkflow],
        activities=activities,
    ):
        yield Run(time_skipping, fake, queue)


async def approved_run(run: Run, request: DeploymentRequest = REQUEST) -> DeploymentResult:
    await run.start(request)
    await run.reach("awaiting_approval")
    run.fake.approve()
    return await run.result()


async def test_approval_after_hours_deploys_verifies_and_closes_the_change(run: Run) -> None:
    await run.start()
    await run.reach("awaiting_approval")
    await run.env.sleep(timedelta(hours=5))
    run.fake.approve()
    result = await run.result()
    assert result.status == "completed"
    assert result.approval_wait_seconds is not None and result.approval_wait_seconds >= 5 * 3600
    # Polling backs off: a few dozen looks in five hours, not one a minute.
    assert 5 < run.fake.count("get_change") < 40
    change = run.fake.only_change()
    assert (change.state, change.close_code) == ("closed", "successful")
    assert result.ticket_id == change.number and result.deployment_id == "dep-1"
    assert run.fake.deployments == [(2, tuple(DEVICES))]


async def test_the_change_names_the_requester_plan_risk_and_devices(run: Run) -> None:
    await approved_run(run)
    spec = run.fake.only_change().spec
    assert "network-engineer-mfa" in spec.description and ALICE in spec.description
    assert "INC0010042" in spec.justification and spec.risk == "moderate"
    assert spec.configuration_items == ("par-acc-01", "par-acc-02")
    assert "version 1" in spec.backout_plan
    assert "ntp server 10.0.0.123" in spec.implementation_plan
    assert spec.correlation_id.startswith("template-deployment-")


async def test_every_platform_call_is_made_on_behalf_of_the_requester(run: Run) -> None:
    await approved_run(run)
    assert {who for _, who in run.fake.calls} == {ALICE}


async def test_rejection_cancels_the_change_and_deploys_nothing(run: Run) -> None:
    await run.start()
    await run.reach("awaiting_approval")
    run.fake.reject()
    result = await run.result()
    assert result.status == "rejected"
    assert run.fake.only_change().state == "canceled"
    assert run.fake.deployments == []


async def test_no_decision_before_the_deadline_cancels_the_change(run: Run) -> None:
    await run.start()
    result = await run.result()  # the test server skips the 24 hours
    assert result.status == "approval_timed_out"
    assert "24 h" in result.reason
    assert run.fake.only_change().state == "canceled"
    assert run.fake.deployments == []


async def test_cancel_before_deployment_cancels_the_change(run: Run) -> None:
    handle = await run.start()
    await run.reach("awaiting_approval")
    await handle.signal(TemplateDeploymentWorkflow.cancel, CancelRequest("bob", "wrong site"))
    result = await run.result()
    assert result.status == "canceled"
    assert "bob" in result.reason and "wrong site" in result.reason
    change = run.fake.only_change()
    assert change.state == "canceled" and "bob" in change.work_notes[-1]
    assert run.fake.deployments == []


async def test_cancel_is_refused_once_deployment_has_started(run: Run) -> None:
    run.fake.deploy_gate = asyncio.Event()
    handle = await run.start()
    await run.reach("awaiting_approval")
    run.fake.approve()
    await handle.signal(TemplateDeploymentWorkflow.approval_decided)
    await asyncio.wait_for(run.fake.deploy_started.wait(), 10)
    await handle.signal(TemplateDeploymentWorkflow.cancel, CancelRequest("bob", "too late"))
    status = await run.reach("deploying")
    for _ in range(100):
        if status.cancel_refused:
            break
        await asyncio.sleep(0.02)
        status = await run.status()
    assert status.cancel_refused and "refused" in status.cancel_refused
    assert status.cancel_requested_by is None
    run.fake.deploy_gate.set()
    result = await run.result()
    assert result.status == "completed"
    assert run.fake.only_change().close_code == "successful"


async def test_queries_report_the_step_and_progress(run: Run) -> None:
    run.fake.deploy_gate = asyncio.Event()
    await run.start()
    waiting = await run.reach("awaiting_approval")
    assert waiting.progress_percent == 37 and waiting.ticket_id == "CHG30001"
    assert waiting.requested_by == ALICE and waiting.result is None
    assert await run.handle.query(TemplateDeploymentWorkflow.current_step) == "awaiting_approval"
    run.fake.approve()
    await run.handle.signal(TemplateDeploymentWorkflow.approval_decided)
    deploying = await run.reach("deploying")
    assert deploying.progress_percent == 62
    run.fake.deploy_gate.set()
    await run.result()
    done = await run.status()
    assert (done.workflow_step, done.progress_percent) == ("done", 100)
    assert done.result is not None and done.result.status == "completed"


async def test_a_failed_deployment_rolls_back_and_closes_the_change_unsuccessful(
    run: Run,
) -> None:
    run.fake.fail_versions = {2}
    result = await approved_run(run)
    assert result.status == "rolled_back"
    assert run.fake.deployments == [(2, tuple(DEVICES)), (1, tuple(DEVICES))]
    assert result.rollback_deployment_id == "dep-2"
    change = run.fake.only_change()
    assert (change.state, change.close_code) == ("closed", "unsuccessful")
    assert change.close_notes and "Rolled back: version 1" in change.close_notes


async def test_a_failed_verification_rolls_back_too(run: Run) -> None:
    run.fake.unhealthy_after_deploy = {"par-acc-02"}
    result = await approved_run(run)
    assert result.status == "rolled_back"
    assert "par-acc-02 is unreachable" in result.reason
    assert [version for version, _ in run.fake.deployments] == [2, 1]
    assert run.fake.only_change().close_code == "unsuccessful"


async def test_without_a_previous_version_the_failure_needs_people(run: Run) -> None:
    run.fake.fail_versions = {1}
    result = await approved_run(run, replace(REQUEST, version=1))
    assert result.status == "failed" and "manual remediation" in result.reason
    assert [version for version, _ in run.fake.deployments] == [1]
    assert run.fake.only_change().close_code == "unsuccessful"


async def test_a_retried_change_creation_never_opens_a_second_change(run: Run) -> None:
    run.fake.lose_create = 1  # created, but the answer is lost: the activity is retried
    result = await approved_run(run)
    assert result.status == "completed"
    assert len(run.fake.changes) == 1
    assert run.fake.count("create_change") == 1
    assert run.fake.count("find_change") == 2


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"template_id": "99999999-9999-4999-8999-999999999999"}, "was not found"),
        ({"version": 7}, "no committed version 7"),
        ({"params": {}}, "missing parameter ntp_primary"),
        ({"device_ids": ["33333333-3333-4333-8333-333333333333"]}, "was not found"),
        ({"reason": "  "}, "a reason is required"),
    ],
)
async def test_an_invalid_request_ends_before_any_change_is_opened(
    run: Run, change: dict[str, Any], problem: str
) -> None:
    await run.start(replace(REQUEST, **change))
    result = await run.result()
    assert result.status == "validation_failed" and problem in result.reason
    assert run.fake.changes == {} and run.fake.deployments == []


async def test_an_unreachable_device_fails_validation(run: Run) -> None:
    run.fake.reachable[next(iter(DEVICES))] = False
    await run.start()
    result = await run.result()
    assert result.status == "validation_failed"
    assert "par-acc-01 (10.10.2.11) is unreachable" in result.reason
