"""The task tool: one look, without waiting."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_catalyst_center.client import CatalystCenterClient
from mcp_catalyst_center.tools.tasks import task_tools
from mcp_common import UpstreamError
from simulator_kit.network import DEVICES

RUNNER = "/dna/intent/api/v1/network-device-poller/cli/read-request"


@pytest.fixture(scope="module")
def get_task(client: CatalystCenterClient) -> Any:
    return next(fn for fn, spec in task_tools(client) if spec.name == "get_task")


async def _new_task(client: CatalystCenterClient) -> str:
    body = await client.post(RUNNER, {"commands": ["show clock"], "deviceUuids": [DEVICES[0].id]})
    return str(body["response"]["taskId"])


async def test_a_running_then_finished_task(client: CatalystCenterClient, get_task: Any) -> None:
    task_id = await _new_task(client)
    first = await get_task(task_id)
    assert (first.task_id, first.done, first.ended_at) == (task_id, False, None)
    second = await get_task(task_id)
    assert second.done and not second.is_error and second.ended_at
    assert second.service_type == "Command Runner Service" and "fileId" in (second.progress or "")


async def test_a_failed_task_shows_why(
    client: CatalystCenterClient, get_task: Any, simulator: Any
) -> None:
    simulator.fail_next_task("Device unreachable")
    task_id = await _new_task(client)
    await get_task(task_id)
    status = await get_task(task_id)
    assert status.is_error and status.failure_reason == "Device unreachable"


async def test_an_unknown_task_is_named(get_task: Any) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(UpstreamError, match=f"task {unknown} was not found"):
        await get_task(unknown)
