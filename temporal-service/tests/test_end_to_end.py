"""End to end on the real Temporal dev server: a person starts a deployment through MCP.

network-engineer-mfa -> workflows MCP server -> Temporal -> worker -> (that person's token
exchanged at the IdP, the worker as actor) -> Catalyst Center and ServiceNow MCP servers ->
policy (the person AND the worker may) -> simulators.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from dev_idp.identities import subject_for
from simulator_kit.network import DEVICES
from temporal_service.worker import run_worker

from .conftest import NTP_PARAMS, NTP_TEMPLATE, Platform, text_of

ENGINEER = "network-engineer-mfa"
TARGETS = [d.id for d in DEVICES if d.hostname in ("par-acc-01", "par-acc-02")]


@pytest_asyncio.fixture(scope="module")
async def worker(platform: Platform) -> AsyncIterator[None]:
    """The worker, in process, as `python -m temporal_service.worker` runs it."""
    assert platform.settings is not None
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(platform.settings, stop=stop, client=platform.env.client))
    yield
    stop.set()
    await asyncio.wait_for(task, 10)


async def start(platform: Platform, **args: Any) -> str:
    result = await platform.call(
        ENGINEER,
        platform.wf_mcp,
        "start_template_deployment",
        {
            "template_id": NTP_TEMPLATE,
            "device_ids": TARGETS,
            "params": NTP_PARAMS,
            "version": 2,
            "reason": "Regional NTP servers changed (INC0010042)",
            **args,
        },
    )
    assert not result.is_error, text_of(result)
    workflow_id: str = result.structured_content["workflow_id"]
    return workflow_id


async def status(platform: Platform, workflow_id: str) -> dict[str, Any]:
    result = await platform.call(
        ENGINEER, platform.wf_mcp, "get_deployment_status", {"workflow_id": workflow_id}
    )
    assert not result.is_error, text_of(result)
    data: dict[str, Any] = result.structured_content
    return data


async def until(platform: Platform, workflow_id: str, step: str) -> dict[str, Any]:
    for _ in range(300):
        current = await status(platform, workflow_id)
        if current["step"] == step:
            return current
        await asyncio.sleep(0.1)
    raise AssertionError(f"never reached {step}: {current}")


async def approve_and_finish(platform: Platform, workflow_id: str) -> dict[str, Any]:
    waiting = await until(platform, workflow_id, "awaiting_approval")
    platform.sim(platform.sn_sim, "POST", f"/sandbox/changes/{waiting['ticket_id']}/approve")
    handle = platform.env.client.get_workflow_handle(workflow_id)
    await asyncio.wait_for(handle.result(), 60)
    return await status(platform, workflow_id)


def deployed_versions(platform: Platform) -> dict[str, int]:
    view = platform.sim(platform.cc_sim, "GET", "/sandbox/deployed")
    return {
        entry["hostname"]: entry["templates"]["NTP-Servers"]["version"]
        for entry in view.values()
        if "NTP-Servers" in entry["templates"]
    }


@pytest.fixture
def fresh(platform: Platform) -> Platform:
    platform.sim(platform.cc_sim, "POST", "/sandbox/reset")
    return platform


async def test_happy_path_deploys_and_closes_the_change_with_the_requester_in_audit(
    fresh: Platform, worker: None
) -> None:
    workflow_id = await start(fresh)
    done = await approve_and_finish(fresh, workflow_id)
    assert done["outcome"] == "completed", done
    assert deployed_versions(fresh) == {"par-acc-01": 2, "par-acc-02": 2}
    [change] = fresh.changes(workflow_id)
    assert change["close_code"]["value"] == "successful"
    assert change["state"]["display_value"] == "Closed"
    assert change["number"]["value"] == done["ticket_id"]
    assert ENGINEER in change["description"]["value"]
    assert subject_for(ENGINEER) in change["description"]["value"]
    # Policy and audit applied to the engineer, through the worker: each decision names
    # the person (user.id) and the actor chain (the worker), never a token of the worker's own.
    decisions = [
        e
        for e in fresh.audit_events()
        if e.get("event.action") == "authorization.decision"
        and e.get("user.actors") == ["temporal-worker"]
    ]
    tools = {e["authz.tool"] for e in decisions}
    assert {"create_change", "update_change", "deploy_template", "preview_template"} <= tools
    assert {e["user.id"] for e in decisions} == {subject_for(ENGINEER)}
    assert {e["authz.decision"] for e in decisions} == {"allow"}
    assert not any(e.get("on_behalf_of") for e in decisions)
    # One pooled POST per call (no session, no tools/list), each naming the deployment.
    assert all(e["trace.id"].startswith(f"{workflow_id}-") for e in decisions)
    listings = [
        e
        for e in fresh.audit_events()
        if e.get("event.action") == "authorization.list_tools"
        and e.get("user.id") == subject_for(ENGINEER)
        and e.get("trace.id", "").startswith(f"{workflow_id}-")
    ]
    assert listings == []


async def test_a_failed_deployment_is_rolled_back_and_the_change_closed_unsuccessful(
    fresh: Platform, worker: None
) -> None:
    fresh.sim(
        fresh.cc_sim,
        "POST",
        "/sandbox/tasks/fail-next",
        {"failureReason": "NETCONF session refused"},
    )
    workflow_id = await start(fresh)
    done = await approve_and_finish(fresh, workflow_id)
    assert done["outcome"] == "rolled_back", done
    assert "NETCONF session refused" in done["message"]
    assert deployed_versions(fresh) == {"par-acc-01": 1, "par-acc-02": 1}
    [change] = fresh.changes(workflow_id)
    assert change["close_code"]["value"] == "unsuccessful"
    assert "Rolled back: version 1 re-deployed" in change["close_notes"]["value"]


async def test_a_rejected_change_is_cancelled_and_nothing_is_deployed(
    fresh: Platform, worker: None
) -> None:
    workflow_id = await start(fresh)
    waiting = await until(fresh, workflow_id, "awaiting_approval")
    fresh.sim(fresh.sn_sim, "POST", f"/sandbox/changes/{waiting['ticket_id']}/reject")
    await asyncio.wait_for(fresh.env.client.get_workflow_handle(workflow_id).result(), 30)
    assert (await status(fresh, workflow_id))["outcome"] == "rejected"
    assert deployed_versions(fresh) == {}
    [change] = fresh.changes(workflow_id)
    assert change["state"]["display_value"] == "Canceled"
