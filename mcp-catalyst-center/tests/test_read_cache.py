"""The shared read cache through the whole chain: IdP token -> server -> policy -> cache ->
Catalyst Center simulator, whose own request counters (`/sandbox/stats`) say what reached it.

Two servers share one Redis (as two worker processes or replicas would): what one fetched,
the other serves; a deployment through either makes the next read go to the backend again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastmcp.exceptions import ToolError

from catalyst_center_simulator import create_catalyst_center_app
from dev_idp import IdpServer
from mcp_catalyst_center import CatalystCenterSettings, build
from platform_launcher.openbao import OpenBaoDevServer
from platform_testkit import StrictStack as Stack
from platform_testkit import start_server_stack
from simulator_kit.serve import BackgroundServer

from .conftest import SIM_PASSWORD, SIM_USER, Simulator
from .test_server import NTP_PARAMS, NTP_TEMPLATE, PAR_ACC_01

DEVICES = "GET /dna/intent/api/v1/network-device"  # and .../count: one list = both


@pytest.fixture(scope="module")
def backend() -> Iterator[Simulator]:
    app = create_catalyst_center_app(username=SIM_USER, password=SIM_PASSWORD, task_polls=1)
    with BackgroundServer(app) as server:
        yield Simulator(server.url)


@pytest.fixture(scope="module")
def stacks(
    idp: IdpServer, openbao: OpenBaoDevServer, backend: Simulator, policy_path: Path, redis_url: str
) -> Iterator[tuple[Stack, Stack]]:
    overrides = {"task_poll_interval": 0.05, "task_timeout": 2.0, "redis_url": redis_url,
                 "tool_cache": True}  # fmt: skip
    common: dict[str, Any] = {
        "simulator": backend, "idp": idp, "openbao": openbao, "policy_path": policy_path,
        "overrides": overrides,
    }  # fmt: skip
    secret = backend.secret()
    with (
        start_server_stack(backend.url, secret, CatalystCenterSettings, build, **common) as one,
        start_server_stack(backend.url, secret, CatalystCenterSettings, build, **common) as two,
    ):
        yield Stack(one), Stack(two)


def device_lists(backend: Simulator) -> int:
    """How many device-list requests reached the simulator."""
    return int(backend.stats()["requests_by_method"].get(DEVICES, 0))


async def test_a_cached_read_is_served_without_a_backend_call_by_every_process(
    stacks: tuple[Stack, Stack], backend: Simulator
) -> None:
    one, two = stacks
    args = {"family": "Switches and Hubs", "limit": 7}
    before = device_lists(backend)
    first = await one.call("network-engineer", "list_devices", args)
    assert device_lists(backend) == before + 1
    # The same read again, from the same server and from the other one: no backend call.
    assert await one.call("network-engineer", "list_devices", args) == first
    assert await two.call("network-engineer", "list_devices", dict(reversed(args.items()))) == first
    assert device_lists(backend) == before + 1
    # Other arguments are another entry.
    await two.call("network-engineer", "list_devices", {"family": "Routers", "limit": 7})
    assert device_lists(backend) == before + 2


async def test_a_write_through_the_platform_invalidates_the_reads_of_its_resource(
    stacks: tuple[Stack, Stack], backend: Simulator
) -> None:
    one, two = stacks
    args = {"hostname": "par-*", "limit": 9}
    await one.call("network-engineer", "list_devices", args)
    cached = device_lists(backend)
    await one.call("network-engineer", "list_devices", args)
    assert device_lists(backend) == cached
    deployed = await two.call(
        "network-engineer-mfa",
        "deploy_template",
        {"template_id": NTP_TEMPLATE, "device_ids": [PAR_ACC_01], "params": NTP_PARAMS},
    )
    assert deployed["status"] == "SUCCESS"
    await one.call("network-engineer", "list_devices", args)
    assert device_lists(backend) == cached + 1  # fresh from the backend after the write


async def test_the_policy_decides_before_any_cached_answer(stacks: tuple[Stack, Stack]) -> None:
    one, _ = stacks
    args = {"family": "Wireless Controller"}
    await one.call("network-engineer", "list_devices", args)  # cached now
    with pytest.raises(ToolError, match=r"[Dd]enied|not allowed"):
        await one.call("developer", "list_devices", args)


async def test_errors_are_never_cached(stacks: tuple[Stack, Stack], backend: Simulator) -> None:
    one, _ = stacks
    args = {"hostname": "lon-*", "limit": 3}
    backend.fault("/dna/intent/api/v1/network-device", 500, count=None)
    with pytest.raises(ToolError, match="HTTP 500"):
        await one.call("network-engineer", "list_devices", args)
    backend.admin("faults/clear")
    before = device_lists(backend)
    result = await one.call("network-engineer", "list_devices", args)
    assert result["count"] >= 1
    assert device_lists(backend) == before + 1  # asked the backend: the error was not kept
