"""The command runner tool: refusals never reach the backend, outputs come back masked."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_catalyst_center.client import CatalystCenterClient
from mcp_catalyst_center.errors import CommandRefused, InvalidArgument, TaskFailed
from mcp_catalyst_center.tools.commands import command_tools
from simulator_kit.network import DEVICES
from simulator_kit.network import secretgen as sg

HOSTS = {d.hostname: d for d in DEVICES}
ROUTER = HOSTS["par-rtr-01"]


@pytest.fixture(scope="module")
def tools(client: CatalystCenterClient) -> dict[str, Any]:
    return {spec.name: fn for fn, spec in command_tools(client, max_output_chars=4_000)}


async def test_outputs_come_back_per_device_and_command(tools: dict[str, Any]) -> None:
    ids = [ROUTER.id, HOSTS["lon-core-01"].id]
    result = await tools["run_show_commands"](ids, ["show version", "show ip interface brief"])
    assert [d.device_id for d in result.devices] == ids
    assert (result.succeeded, result.failed) == (4, 0)
    assert "Cisco Nexus Operating System" in result.devices[1].results[0].output
    assert result.devices[0].results[1].command == "show ip interface brief"


async def test_running_config_output_is_masked(tools: dict[str, Any]) -> None:
    result = await tools["run_show_commands"]([ROUTER.id], ["show running-config"])
    out = result.devices[0].results[0]
    assert out.masked_secrets >= 8
    for secret in (
        sg.plain(ROUTER.hostname, "isakmp"),
        sg.plain(ROUTER.hostname, "ikev2"),
        sg.type7(ROUTER.hostname, "bgp", 12),
    ):
        assert secret not in out.output


async def test_device_errors_are_reported_as_failures(tools: dict[str, Any]) -> None:
    result = await tools["run_show_commands"](
        [HOSTS["par-acc-03"].id, ROUTER.id], ["show clock", "show tech-support"]
    )
    statuses = {(d.device_id, r.command): r.status for d in result.devices for r in d.results}
    assert statuses[(HOSTS["par-acc-03"].id, "show clock")] == "FAILURE"  # unreachable
    assert statuses[(ROUTER.id, "show clock")] == "SUCCESS"
    assert statuses[(ROUTER.id, "show tech-support")] == "BLACKLISTED"
    assert result.failed == 3


@pytest.mark.parametrize(
    "commands",
    [
        ["configure terminal"],
        ["show clock", "reload"],
        ["write erase"],
        ["show clock; reload"],
        ["show clock\nconf t"],
        ["show run | redirect flash:x"],
    ],
)
async def test_refused_commands_send_nothing(
    tools: dict[str, Any], simulator: Any, commands: list[str]
) -> None:
    before = simulator.stats()
    with pytest.raises(CommandRefused):
        await tools["run_show_commands"]([ROUTER.id], commands)
    after = simulator.stats()
    assert after["total_requests"] == before["total_requests"]
    assert after["cli_commands"] == before["cli_commands"]


async def test_duplicates_are_refused(tools: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument, match="device twice"):
        await tools["run_show_commands"]([ROUTER.id, ROUTER.id], ["show clock"])
    with pytest.raises(InvalidArgument, match="command twice"):
        await tools["run_show_commands"]([ROUTER.id], ["show clock", "show  clock"])


async def test_a_failed_runner_task_raises_with_its_reason(
    tools: dict[str, Any], simulator: Any
) -> None:
    simulator.fail_next_task("Command runner is disabled")
    with pytest.raises(TaskFailed, match="Command runner is disabled"):
        await tools["run_show_commands"]([ROUTER.id], ["show clock"])
