"""collect_diagnostics: the fixed bundle, summarized per device, raw outputs only on request."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_radkit.client import RadkitClient
from mcp_radkit.diagnostics import BUNDLE
from mcp_radkit.errors import DeviceNotFound
from mcp_radkit.tools.diagnostics import diagnostics_tools


@pytest.fixture(scope="module")
def tools(client: RadkitClient) -> dict[str, Any]:
    return {spec.name: fn for fn, spec in diagnostics_tools(client, max_output_chars=10_000)}


async def test_exactly_the_bundle_is_run(tools: dict[str, Any], simulator: Any) -> None:
    simulator.reset()
    report = await tools["collect_diagnostics"](["par-acc-01"])
    log = simulator.stats()["command_log"]
    assert [entry["command"] for entry in log] == list(BUNDLE) == report.bundle


async def test_each_device_is_summarized_with_findings(tools: dict[str, Any]) -> None:
    report = await tools["collect_diagnostics"](["par-core-02", "lon-core-01"])
    busy, nexus = report.devices
    assert busy.status == "SUCCESS" and busy.outputs is None
    assert (busy.software_version, busy.model, busy.modules) == ("17.09.04", "C9500-40X", 3)
    assert busy.cpu is not None and busy.cpu.five_minutes is not None
    assert any(f.startswith("high CPU load") for f in busy.findings)
    assert busy.log_errors == 1 and "%SYS-3-CPUHOG" in busy.recent_errors[0]
    assert nexus.interfaces is not None and nexus.interfaces.down == ["Ethernet1/3"]
    assert nexus.findings == ["1 enabled interface(s) down: Ethernet1/3"]
    assert report.findings == len(busy.findings) + 1


async def test_an_unreachable_device_is_a_finding_not_an_error(tools: dict[str, Any]) -> None:
    report = await tools["collect_diagnostics"](["sjc-acc-02"], device_timeout=1)
    device = report.devices[0]
    assert device.status == "TIMEOUT"
    assert device.software_version is None and device.interfaces is None
    assert device.findings[0].startswith("the device did not answer")


async def test_raw_outputs_are_masked_and_only_on_request(tools: dict[str, Any]) -> None:
    report = await tools["collect_diagnostics"](["par-rtr-01"], include_outputs=True)
    outputs = report.devices[0].outputs
    assert outputs is not None and [o.command for o in outputs] == list(BUNDLE)
    logging = outputs[-1]
    assert "snmp-server community <masked> RO" in logging.output
    assert logging.masked_secrets == 1


async def test_unknown_devices_are_named_together(tools: dict[str, Any]) -> None:
    # One request per device: the unknown ones are still reported in one error.
    with pytest.raises(DeviceNotFound) as caught:
        await tools["collect_diagnostics"](["nope-01", "par-acc-01", "nope-02"])
    assert sorted(caught.value.names) == ["nope-01", "nope-02"]
