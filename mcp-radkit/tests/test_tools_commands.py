"""exec_commands and check_reachability: refusals never reach RADKit, outputs come back masked."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_radkit.client import RadkitClient
from mcp_radkit.errors import CommandRefused, InvalidArgument
from mcp_radkit.tools.commands import command_tools
from simulator_kit.network import secretgen as sg


@pytest.fixture(scope="module")
def tools(client: RadkitClient) -> dict[str, Any]:
    return {spec.name: fn for fn, spec in command_tools(client, max_output_chars=2_000)}


async def test_outputs_come_back_per_device_and_command(tools: dict[str, Any]) -> None:
    result = await tools["exec_commands"](
        ["par-rtr-01", "lon-core-01"], ["show version", "show ip interface  brief"]
    )
    assert result.request_id
    assert [d.device for d in result.devices] == ["par-rtr-01", "lon-core-01"]
    assert (result.succeeded, result.failed, result.timed_out) == (4, 0, 0)
    assert "Cisco Nexus Operating System" in result.devices[1].results[0].output
    assert result.devices[0].results[1].command == "show ip interface brief"  # normalised


async def test_outputs_are_masked_then_cut_to_the_budget(tools: dict[str, Any]) -> None:
    result = await tools["exec_commands"](["par-rtr-01"], ["show running-config"])
    out = result.devices[0].results[0]
    assert out.masked_secrets >= 8
    assert out.truncated and len(out.output) <= 2_000 + 20
    full = await tools["exec_commands"](["par-rtr-01"], ["show running-config | include key"])
    text = full.devices[0].results[0].output
    for secret in (sg.plain("par-rtr-01", "isakmp"), sg.type7("par-rtr-01", "bgp", 12)):
        assert secret not in text
    assert "crypto isakmp key <masked> address" in text


async def test_device_failures_and_timeouts_are_reported_not_raised(
    tools: dict[str, Any],
) -> None:
    result = await tools["exec_commands"](
        ["par-acc-03", "par-acc-01"], ["show clock", "show nonsense"], device_timeout=1
    )
    by = {(d.device, r.command): r for d in result.devices for r in d.results}
    assert by[("par-acc-03", "show clock")].status == "TIMEOUT"
    assert "timed out" in (by[("par-acc-03", "show clock")].message or "")
    assert by[("par-acc-01", "show clock")].status == "SUCCESS"
    assert by[("par-acc-01", "show nonsense")].status == "FAILURE"
    assert (result.succeeded, result.failed, result.timed_out) == (1, 1, 2)


@pytest.mark.parametrize(
    ("devices", "commands", "error"),
    [
        (["par-acc-01"], ["show clock", "configure terminal"], CommandRefused),
        (["par-acc-01"], ["show clock", "show clock"], InvalidArgument),
        (["par-acc-01", "par-acc-01"], ["show clock"], InvalidArgument),
    ],
)
async def test_bad_arguments_never_reach_radkit(
    tools: dict[str, Any], simulator: Any, devices: list[str], commands: list[str], error: type
) -> None:
    before = simulator.stats()["total_requests"]
    with pytest.raises(error):
        await tools["exec_commands"](devices, commands)
    assert simulator.stats()["total_requests"] == before


async def test_reachability_of_the_whole_inventory(tools: dict[str, Any]) -> None:
    report = await tools["check_reachability"](device_timeout=1)
    assert (report.service_status, report.checked, report.reachable) == ("READY", 20, 18)
    assert report.unreachable == ["par-acc-03", "sjc-acc-02"]
    down = next(d for d in report.devices if d.device == "par-acc-03")
    assert not down.reachable and "10.10.2.13" in (down.detail or "")


async def test_reachability_of_named_devices_only(tools: dict[str, Any], simulator: Any) -> None:
    before = simulator.stats()["commands_run"]
    report = await tools["check_reachability"](["par-acc-01", "lon-core-01"])
    assert report.checked == report.reachable == 2
    assert simulator.stats()["commands_run"] == before + 2
    assert simulator.stats()["command_log"][-1] == {
        "device": "lon-core-01",
        "command": "show clock",
    }
