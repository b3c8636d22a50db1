"""Confirm before the change is opened (issue 12, point 4), on the time-skipping test server.

When the request asks for it (`confirm_before_change`: an MCP task whose client can elicit),
the workflow renders the template, shows the rendering and its SHA-256 in its status and
waits for the requester's `confirm` signal, a cancel, or the deadline. Only a confirmation
opens the ServiceNow change, and the change names who confirmed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest_asyncio
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from temporal_service.activities import DeploymentActivities
from temporal_service.approval import BoundDeployment, DeviceRendering, preview_of
from temporal_service.models import (
    CancelRequest,
    ConfigPreview,
    ConfirmRequest,
    DeploymentRequest,
    DeploymentResult,
    DeploymentStatus,
)
from temporal_service.tasks import _running, confirm_key
from temporal_service.workflows import TemplateDeploymentWorkflow

from .fakes import ALICE, NTP_REQUEST, TEMPLATE_ID, FakePlatformTools

REQUEST = replace(NTP_REQUEST, confirm_before_change=True)


class Run:
    """One workflow run against the fake platform."""

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

    async def reach(self, step: str) -> DeploymentStatus:
        """Wait (in real time: queries do not move the test server's clock) for `step`."""
        assert self.handle is not None
        for _ in range(250):
            status: DeploymentStatus = await self.handle.query(TemplateDeploymentWorkflow.status)
            if status.workflow_step == step:
                return status
            await asyncio.sleep(0.02)
        raise AssertionError(f"never reached {step}; at {status.workflow_step}")

    async def answer(self, confirmed: bool, by: str = "alice", sha256: str = "") -> None:
        assert self.handle is not None
        await self.handle.signal(
            TemplateDeploymentWorkflow.confirm, ConfirmRequest(confirmed, by, sha256)
        )

    async def result(self) -> DeploymentResult:
        assert self.handle is not None
        return await self.handle.result()


@pytest_asyncio.fixture
async def run(time_skipping: WorkflowEnvironment) -> AsyncIterator[Run]:
    fake = FakePlatformTools()
    queue = f"tq-{uuid.uuid4()}"
    async with Worker(
        time_skipping.client,
        task_queue=queue,
        workflows=[TemplateDeploymentWorkflow],
        activities=DeploymentActivities(fake).all(),
    ):
        yield Run(time_skipping, fake, queue)


async def test_the_status_shows_the_rendering_and_its_digest_before_any_change(run: Run) -> None:
    await run.start()
    waiting = await run.reach("awaiting_confirmation")
    assert run.fake.changes == {}  # nothing exists outside Temporal yet
    preview = waiting.preview
    assert preview is not None and len(preview.sha256) == 64
    assert preview.hostnames == ["par-acc-01", "par-acc-02"]
    assert f"SHA-256: {preview.sha256}" in preview.text
    assert preview.text.count("ntp server 10.0.0.123 prefer") == 2 and not preview.truncated
    assert waiting.confirmation_deadline is not None
    deadline = datetime.fromisoformat(waiting.confirmation_deadline)
    assert deadline.tzinfo is not None and deadline > datetime(2000, 1, 1, tzinfo=UTC)
    assert preview.sha256 in waiting.message and "before the ServiceNow change" in waiting.message
    await run.answer(False)
    await run.result()


async def test_a_confirmation_opens_the_change_and_the_change_names_who_confirmed(
    run: Run,
) -> None:
    await run.start()
    shown = await run.reach("awaiting_confirmation")
    assert shown.preview is not None
    await run.answer(True, "alice (subject-a)", shown.preview.sha256)
    waiting = await run.reach("awaiting_approval")
    change = run.fake.only_change()
    assert "Confirmed by alice (subject-a) at " in change.spec.description
    assert any("Confirmed by alice (subject-a)" in note for note in change.work_notes)
    assert waiting.preview is not None and waiting.confirmation_deadline is None
    run.fake.approve()
    result = await run.result()
    assert result.status == "completed", result.reason
    assert result.confirmed_by == "alice (subject-a)"
    assert result.approval_sha256 == shown.preview.sha256  # confirmed, approved, deployed


async def test_declining_ends_canceled_and_opens_no_change(run: Run) -> None:
    await run.start()
    shown = await run.reach("awaiting_confirmation")
    assert shown.preview is not None
    await run.answer(True, "mallory", "0" * 64)  # names another rendering: ignored
    await run.answer(False, "alice", shown.preview.sha256)
    result = await run.result()
    assert result.status == "canceled"
    assert "declined by alice" in result.reason and "no change was opened" in result.reason
    assert result.confirmed_by is None and result.ticket_id is None
    assert run.fake.changes == {} and run.fake.deployments == []


async def test_a_cancel_while_awaiting_confirmation_opens_no_change(run: Run) -> None:
    handle = await run.start()
    await run.reach("awaiting_confirmation")
    await handle.signal(TemplateDeploymentWorkflow.cancel, CancelRequest("bob", "wrong site"))
    result = await run.result()
    assert result.status == "canceled"
    assert "bob" in result.reason and "no change was opened" in result.reason
    assert run.fake.changes == {}


async def test_without_an_answer_the_deadline_cancels_and_opens_no_change(run: Run) -> None:
    await run.start()
    result = await run.result()  # the test server skips the hour
    assert result.status == "canceled"
    assert "not confirmed within 1 h" in result.reason and "no change was opened" in result.reason
    assert run.fake.changes == {} and run.fake.deployments == []


async def test_a_request_that_does_not_ask_goes_straight_to_the_change(run: Run) -> None:
    await run.start(replace(REQUEST, confirm_before_change=False))
    waiting = await run.reach("awaiting_approval")
    assert waiting.preview is not None  # shown in the task's status (tasks.py)
    assert "Confirmed by" not in run.fake.only_change().spec.description
    run.fake.reject()
    assert (await run.result()).status == "rejected"


# -- what people are shown (pure functions) ---------------------------------------------------


def bound(renderings: int, cli: str) -> BoundDeployment:
    return BoundDeployment(
        TEMPLATE_ID,
        2,
        "v2",
        [DeviceRendering(f"dev-{i}", f"host-{i:03d}", cli) for i in range(renderings)],
        "a" * 64,
    )


def test_a_long_rendering_is_clipped_with_the_digest_kept_and_says_so() -> None:
    preview = preview_of(bound(100, "\n".join(f"ntp server 10.0.{i}.1" for i in range(20))))
    assert preview.truncated and len(preview.text) < 8_200
    assert preview.text.startswith(f"Template {TEMPLATE_ID}") and "a" * 64 in preview.text
    assert "[... truncated:" in preview.text.splitlines()[-1]
    assert len(preview.hostnames) == 100


def status(step: str, preview: ConfigPreview, ticket: str | None = None) -> DeploymentStatus:
    return DeploymentStatus(
        workflow_step=step,  # type: ignore[arg-type]
        progress_percent=25,
        message="opening the ServiceNow normal change",
        requested_by=ALICE,
        ticket_id=ticket,
        preview=preview,
        confirmation_deadline="2026-12-06T15:00:00+00:00",
    )


BASE: dict[str, Any] = {
    "task_id": "template-deployment-x",
    "owner": ALICE,
    "created_at": datetime.now(UTC),
    "last_updated_at": datetime.now(UTC),
}


def test_the_confirmation_round_says_when_the_rendering_was_truncated() -> None:
    preview = preview_of(bound(100, "ntp server 10.0.0.1\n" * 10))
    view = _running(status("awaiting_confirmation", preview), BASE)
    assert view.status == "input_required" and view.input_requests is not None
    [(key, request)] = view.input_requests.items()
    assert key == confirm_key(preview.sha256) == f"confirm-{'a' * 16}"
    message = request["params"]["message"]
    assert "truncated" in message and "a" * 64 in message and "100 device(s)" in message
    assert request["params"]["requestedSchema"]["properties"]["confirm"]["type"] == "boolean"


def test_while_working_before_the_change_opens_the_status_shows_a_short_preview() -> None:
    preview = preview_of(bound(7, "\n".join(f"line {i}" for i in range(30))))
    view = _running(status("opening_change", preview), BASE)
    assert view.status == "working" and view.input_requests is None
    message = view.status_message or ""
    assert "7 device(s) (host-000, host-001, host-002, host-003, host-004 and 2 more)" in message
    assert f"SHA-256 {'a' * 64}" in message and "line 5" in message and "line 6" not in message
    assert "tasks/cancel" in message
    later = _running(status("deploying", preview), BASE)
    assert "SHA-256" not in (later.status_message or "")  # once deployment runs: no preview
