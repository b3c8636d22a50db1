"""start_template_deployment as an MCP task (SEP-2663), on the real Temporal dev server.

The task is the workflow: created by a task-augmented tools/call, followed with tasks/get
through the CAB's approval to the inlined result, visible to its owner (and admins) only,
and still there after the workflows server and the worker restart.

fastmcp-tasks' own client (`fastmcp_tasks.client.call_tool_task`) drives a task too. It pins
`fastmcp-slim==4.1.4` while the workspace runs fastmcp 4.1.6, so it runs in an environment
of its own (`.bench-venvs/fastmcp-tasks-4.1.4`, git-ignored, built with uv on first use: a
few seconds from uv's cache), as the LangGraph example does.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from dev_idp.identities import subject_for
from mcp_common.testing import StaticSecretStore
from simulator_kit.network import DEVICES
from temporal_service.server import build as build_wf
from temporal_service.worker import run_worker

from .conftest import NTP_PARAMS, NTP_TEMPLATE, Platform, free_port
from .tasks_wire import get_task, rpc, until

ENGINEER = "network-engineer-mfa"
ROOT = Path(__file__).resolve().parents[2]
ENV = ROOT / ".bench-venvs" / "fastmcp-tasks-4.1.4"
PYTHON = ENV / "bin" / "python"

CLIENT = r"""
import asyncio, json, os, sys
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp_tasks.client import call_tool_task

def say(**fields):
    print(json.dumps(fields), flush=True)

async def main():
    transport = StreamableHttpTransport(os.environ["MCP_URL"], auth=os.environ["MCP_TOKEN"])
    async with Client(transport) as client:
        task = await call_tool_task(
            client, "start_template_deployment", json.loads(os.environ["MCP_ARGS"])
        )
        say(step="created", task_id=task.task_id, status=task.create_result.status)
        waiting = await task.wait(state="input_required", timeout=60)
        say(step="waiting", status=waiting.status, message=waiting.status_message,
            keys=sorted(waiting.input_requests or {}))
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        final = await task.wait(timeout=60)
        result = await task.result()
        say(step="done", status=final.status, structured=result.structured_content)

asyncio.run(main())
"""


TARGETS = [d.id for d in DEVICES if d.hostname in ("par-acc-01", "par-acc-02")]
ARGS: dict[str, Any] = {
    "template_id": NTP_TEMPLATE,
    "device_ids": TARGETS,
    "params": NTP_PARAMS,
    "version": 2,
    "reason": "Regional NTP servers changed (INC0010042)",
}


class Worker:
    """The worker, in process, stoppable and restartable (as a redeploy would)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.stop_event = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        assert self.platform.settings is not None
        self.stop_event = asyncio.Event()
        # A short sticky timeout: after a restart, workflows move to the new worker at once.
        settings = self.platform.settings.model_copy(update={"worker_sticky_timeout_seconds": 1})
        self.task = asyncio.create_task(
            run_worker(settings, stop=self.stop_event, client=self.platform.env.client)
        )

    async def stop(self) -> None:
        self.stop_event.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, 15)


@pytest_asyncio.fixture(scope="module")
async def worker(platform: Platform) -> AsyncIterator[Worker]:
    running = Worker(platform)
    running.start()
    yield running
    await running.stop()


def token(platform: Platform, identity: str = ENGINEER, url: str | None = None) -> str:
    """A token of `identity` for the workflows server at `url` (its own audience)."""
    return platform.token(identity, url or platform.wf_mcp)


async def create(
    platform: Platform, url: str | None = None, *, elicitation: bool = False, **args: Any
) -> dict[str, Any]:
    answer = await rpc(
        url or platform.wf_mcp,
        token(platform, url=url),
        "tools/call",
        {"name": "start_template_deployment", "arguments": {**ARGS, **args}},
        elicitation=elicitation,
    )
    assert "result" in answer, answer
    result: dict[str, Any] = answer["result"]
    return result


async def test_a_task_waits_for_the_cab_then_completes_with_the_result_inlined(
    platform: Platform, worker: Worker
) -> None:
    created = await create(platform)
    assert created["resultType"] == "task"
    assert created["status"] == "working"
    task_id = created["taskId"]
    assert task_id.startswith("template-deployment-")  # the task id is the workflow id
    assert {"createdAt", "lastUpdatedAt", "ttlMs", "pollIntervalMs"} <= set(created)

    waiting = await until(platform.wf_mcp, token(platform), task_id, "input_required")
    [change] = platform.changes(task_id)
    number = change["number"]["value"]
    assert number in waiting["statusMessage"]
    assert list(waiting["inputRequests"]) == [f"approval-{number}"]
    assert waiting["inputRequests"][f"approval-{number}"]["method"] == "elicitation/create"

    platform.sim(platform.sn_sim, "POST", f"/sandbox/changes/{number}/approve")
    done = await until(platform.wf_mcp, token(platform), task_id, "completed", "failed")
    assert done["status"] == "completed", done
    assert done["result"]["isError"] is False
    outcome = done["result"]["structuredContent"]
    assert outcome["status"] == "completed"
    assert outcome["ticket_id"] == number
    assert "error" not in done and "inputRequests" not in done
    events = [e for e in platform.audit_events() if e.get("event.action") == "task.create"]
    assert any(e["task.id"] == task_id and e["user.id"] == subject_for(ENGINEER) for e in events)
    # The approval is bound to what deployed: approver, digest and change in the audit trail.
    assert outcome["approval_sha256"] and outcome["approvers"]
    [check] = [
        e
        for e in platform.audit_events()
        if e.get("event.action") == "workflow.approval.check" and e.get("change.number") == number
    ]
    assert check["event.outcome"] == "success"
    assert check["change.approvers"] == outcome["approvers"]
    assert check["approval.sha256"] == check["deployment.sha256"] == outcome["approval_sha256"]
    assert outcome["approval_sha256"] in change_text(platform, task_id)


async def answer(
    platform: Platform, task_id: str, key: str, response: dict[str, Any], who: str = ENGINEER
) -> None:
    """tasks/update with one input response (fails the test on an error)."""
    params = {"taskId": task_id, "inputResponses": {key: response}}
    done = await rpc(
        platform.wf_mcp, token(platform, who), "tasks/update", params, elicitation=True
    )
    assert done.get("result", {}).get("resultType") == "complete", done


async def confirmation_round(platform: Platform, task_id: str) -> tuple[str, str]:
    """Wait for the confirmation round; (its key, the SHA-256 it names). No change yet."""
    waiting = await until(platform.wf_mcp, token(platform), task_id, "input_required")
    [(key, request)] = waiting["inputRequests"].items()
    assert key.startswith("confirm-") and request["method"] == "elicitation/create"
    assert platform.changes(task_id) == []  # nothing in ServiceNow before the answer
    message = request["params"]["message"]
    [sha256] = sorted(set(re.findall(r"\b[0-9a-f]{64}\b", message)))
    assert key == f"confirm-{sha256[:16]}" and sha256 in waiting["statusMessage"]
    for hostname in ("par-acc-01", "par-acc-02"):  # every device's rendered configuration
        assert f"--- {hostname} (" in message
    assert message.count("ntp server 10.0.0.123") >= 2, message
    assert request["params"]["requestedSchema"]["properties"]["confirm"]["type"] == "boolean"
    return key, sha256


async def test_a_client_that_elicits_confirms_the_rendering_then_the_cab_approves(
    platform: Platform, worker: Worker
) -> None:
    task_id = (await create(platform, elicitation=True))["taskId"]
    key, sha256 = await confirmation_round(platform, task_id)
    await answer(platform, task_id, key, {"action": "accept", "content": {"confirm": True}})

    for _ in range(300):  # until the answer reached the workflow and the change waits
        waiting = await until(platform.wf_mcp, token(platform), task_id, "input_required")
        if key not in waiting["inputRequests"]:
            break
        await asyncio.sleep(0.1)
    [change] = platform.changes(task_id)
    number = change["number"]["value"]
    assert list(waiting["inputRequests"]) == [f"approval-{number}"]
    assert "Confirmed by network-engineer-mfa" in change["description"]["value"]
    platform.sim(platform.sn_sim, "POST", f"/sandbox/changes/{number}/approve")
    done = await until(platform.wf_mcp, token(platform), task_id, "completed", "failed")
    outcome = done["result"]["structuredContent"]
    assert outcome["status"] == "completed", done
    assert outcome["approval_sha256"] == sha256  # what was confirmed is what deployed
    assert outcome["confirmed_by"].startswith("network-engineer-mfa")
    [confirmed] = [
        e
        for e in platform.audit_events()
        if e.get("event.action") == "workflow.confirm" and e.get("workflow.id") == task_id
    ]
    assert confirmed["event.outcome"] == "success"
    assert confirmed["confirmation.answer"] == "confirmed"
    assert confirmed["deployment.sha256"] == sha256


async def test_a_declined_confirmation_cancels_the_task_and_opens_no_change(
    platform: Platform, worker: Worker
) -> None:
    task_id = (await create(platform, elicitation=True))["taskId"]
    key, _ = await confirmation_round(platform, task_id)
    # An admin sees the round, but the confirmation is the requester's own.
    yes = {"action": "accept", "content": {"confirm": True}}
    await answer(platform, task_id, key, yes, who="admin")
    [refused] = [
        e
        for e in platform.audit_events()
        if e.get("event.action") == "workflow.confirm" and e.get("workflow.id") == task_id
    ]
    assert refused["event.outcome"] == "failure" and refused["user.id"] == subject_for("admin")
    still = await get_task(platform.wf_mcp, token(platform), task_id)
    assert list(still["inputRequests"]) == [key]
    await answer(platform, task_id, key, {"action": "accept", "content": {"confirm": False}})
    cancelled = await until(platform.wf_mcp, token(platform), task_id, "cancelled", "completed")
    assert cancelled["status"] == "cancelled", cancelled
    assert "declined by network-engineer-mfa" in cancelled["statusMessage"]
    assert platform.changes(task_id) == []


async def test_clients_without_elicitation_or_tasks_go_straight_to_the_cab(
    platform: Platform, worker: Worker
) -> None:
    # A task for a client without elicitation: no round; the status shows the preview.
    task_id = (await create(platform))["taskId"]
    waiting = await until(platform.wf_mcp, token(platform), task_id, "input_required")
    [change] = platform.changes(task_id)
    assert list(waiting["inputRequests"]) == [f"approval-{change['number']['value']}"]
    message = waiting["statusMessage"]
    assert "Preview: 2 device(s) (par-acc-01, par-acc-02), SHA-256 " in message
    assert "ntp server 10.0.0.123" in message and "tasks/cancel" in message
    assert "Confirmed by" not in change["description"]["value"]
    # The synchronous form never asks, even when the client could elicit.
    started = await rpc(
        platform.wf_mcp,
        token(platform),
        "tools/call",
        {"name": "start_template_deployment", "arguments": ARGS},
        tasks=False,
        elicitation=True,
    )
    workflow_id = started["result"]["structuredContent"]["workflow_id"]
    direct = await until(platform.wf_mcp, token(platform), workflow_id, "input_required")
    assert all(k.startswith("approval-") for k in direct["inputRequests"])
    for each in (task_id, workflow_id):
        await rpc(platform.wf_mcp, token(platform), "tasks/cancel", {"taskId": each})


def change_text(platform: Platform, task_id: str) -> str:
    """The change's implementation plan and work notes, as ServiceNow has them."""
    [change] = platform.changes(task_id)
    return " ".join(
        str(change.get(f, {}).get("value", "")) for f in ("implementation_plan", "work_notes")
    )


async def test_only_the_owner_and_admins_see_a_task(platform: Platform, worker: Worker) -> None:
    task_id = (await create(platform))["taskId"]
    await until(platform.wf_mcp, token(platform), task_id, "input_required")
    someone_else = token(platform, "network-engineer")
    for method in ("tasks/get", "tasks/cancel"):
        refused = await rpc(platform.wf_mcp, someone_else, method, {"taskId": task_id})
        assert refused["error"]["code"] == -32602, refused  # as if it did not exist
    unknown = await rpc(
        platform.wf_mcp, token(platform), "tasks/get", {"taskId": "template-deployment-nope1234"}
    )
    assert unknown["error"]["code"] == -32602
    assert (await get_task(platform.wf_mcp, token(platform, "admin"), task_id))["status"] == (
        "input_required"
    )
    # The owner cancels before deployment: the change is cancelled, the task too.
    ack = await rpc(platform.wf_mcp, token(platform), "tasks/cancel", {"taskId": task_id})
    assert ack["result"]["resultType"] == "complete"
    cancelled = await until(platform.wf_mcp, token(platform), task_id, "cancelled", "completed")
    assert cancelled["status"] == "cancelled", cancelled
    [change] = platform.changes(task_id)
    assert change["state"]["display_value"] == "Canceled"
    denied = [
        e
        for e in platform.audit_events()
        if e.get("event.action") == "task.get" and e.get("event.outcome") == "failure"
    ]
    assert any(e["user.id"] == subject_for("network-engineer") for e in denied)


async def test_without_the_extension_the_tool_answers_at_once_and_tasks_methods_refuse(
    platform: Platform, worker: Worker
) -> None:
    answer = await rpc(
        platform.wf_mcp,
        token(platform),
        "tools/call",
        {"name": "start_template_deployment", "arguments": ARGS},
        tasks=False,
    )
    started = answer["result"]["structuredContent"]
    assert answer["result"].get("resultType") != "task"
    workflow_id = started["workflow_id"]
    refused = await rpc(
        platform.wf_mcp, token(platform), "tasks/get", {"taskId": workflow_id}, tasks=False
    )
    assert refused["error"]["code"] == -32021
    assert refused["error"]["data"]["requiredCapabilities"] == {
        "extensions": {"io.modelcontextprotocol/tasks": {}}
    }
    # The same workflow is a task for a client that declares the extension.
    task = await get_task(platform.wf_mcp, token(platform), workflow_id)
    assert task["taskId"] == workflow_id and task["status"] in ("working", "input_required")
    await rpc(platform.wf_mcp, token(platform), "tasks/cancel", {"taskId": workflow_id})


async def test_tasks_survive_a_restart_of_the_server_and_of_the_worker(
    platform: Platform, worker: Worker, serve: Any
) -> None:
    assert platform.settings is not None
    first_settings = platform.settings.model_copy(update={"port": free_port()})
    first = serve(
        build_wf(first_settings, secrets=StaticSecretStore({})).http_app(), first_settings.port
    )
    task_id = (await create(platform, f"{first.url}/mcp"))["taskId"]
    await until(
        f"{first.url}/mcp", token(platform, url=f"{first.url}/mcp"), task_id, "input_required"
    )
    first.stop()

    await worker.stop()  # the worker goes too: Temporal still knows the task
    second_settings = platform.settings.model_copy(update={"port": free_port()})
    second = serve(
        build_wf(second_settings, secrets=StaticSecretStore({})).http_app(), second_settings.port
    )
    url = f"{second.url}/mcp"
    orphan = await get_task(url, token(platform, url=url), task_id)
    assert orphan["status"] == "working"
    assert "no worker" in orphan["statusMessage"]

    worker.start()
    waiting = await until(url, token(platform, url=url), task_id, "input_required")
    [change] = platform.changes(task_id)
    number = change["number"]["value"]
    assert number in waiting["statusMessage"]
    platform.sim(platform.sn_sim, "POST", f"/sandbox/changes/{number}/approve")
    done = await until(url, token(platform, url=url), task_id, "completed", "failed")
    assert done["result"]["structuredContent"]["status"] == "completed", done


def uv() -> str:
    return os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")


@pytest.fixture(scope="module")
def python() -> Path:
    """fastmcp-tasks 4.1.4 in its own environment."""
    if not PYTHON.is_file():
        subprocess.run([uv(), "venv", "-q", str(ENV), "--python", sys.executable], check=True)
    done = subprocess.run(
        [uv(), "pip", "install", "-q", "--python", str(PYTHON), "fastmcp-tasks==4.1.4"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        if "Failed to fetch" in done.stderr or "dns error" in done.stderr:
            pytest.skip("package index unreachable, cannot build fastmcp-tasks' environment")
        pytest.fail(f"uv pip install failed: {done.stderr[-2000:]}")
    return PYTHON


async def read(process: asyncio.subprocess.Process) -> dict[str, Any]:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 90)
    if not line:
        assert process.stderr is not None
        raise AssertionError((await process.stderr.read()).decode()[-3000:])
    message: dict[str, Any] = json.loads(line)
    return message


async def test_fastmcp_tasks_client_follows_a_deployment_task_to_its_result(
    platform: Platform, worker: Worker, python: Path
) -> None:
    args = {
        "template_id": NTP_TEMPLATE,
        "device_ids": TARGETS,
        "params": NTP_PARAMS,
        "version": 2,
        "reason": "Regional NTP servers changed (INC0010042)",
    }
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    environ.update(
        MCP_URL=platform.wf_mcp,
        MCP_TOKEN=platform.token(ENGINEER, platform.wf_mcp),
        MCP_ARGS=json.dumps(args),
    )
    process = await asyncio.create_subprocess_exec(
        str(python),
        "-c",
        CLIENT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environ,
    )
    try:
        created = await read(process)
        assert created["step"] == "created" and created["status"] == "working"
        task_id = created["task_id"]
        waiting = await read(process)
        [change] = platform.changes(task_id)
        number = change["number"]["value"]
        assert waiting["status"] == "input_required"
        assert number in waiting["message"]
        assert waiting["keys"] == [f"approval-{number}"]

        platform.sim(platform.sn_sim, "POST", f"/sandbox/changes/{number}/approve")
        assert process.stdin is not None
        process.stdin.write(b"approved\n")
        await process.stdin.drain()
        done = await read(process)
        assert done["status"] == "completed"
        assert done["structured"]["status"] == "completed"
        assert done["structured"]["ticket_id"] == number
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
