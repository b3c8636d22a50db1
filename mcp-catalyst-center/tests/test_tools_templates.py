"""Template tools against the simulator: catalog, details, preview, deployments and failures."""

from __future__ import annotations

from typing import Any

import pytest

from catalyst_center_simulator.templates import CATALOG
from mcp_catalyst_center.client import CatalystCenterClient
from mcp_catalyst_center.errors import InvalidArgument, TaskFailed, TaskTimedOut
from mcp_catalyst_center.tools.templates import template_tools
from mcp_common import UpstreamError
from simulator_kit.network import DEVICES

TEMPLATES = {t.name: t for t in CATALOG}
NTP = TEMPLATES["NTP-Servers"]
NTP_PARAMS = {"ntp_primary": "10.0.0.123", "ntp_secondary": "10.0.1.123", "timezone": "UTC"}
HOSTS = {d.hostname: d for d in DEVICES}
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def tools(client: CatalystCenterClient) -> dict[str, Any]:
    return {spec.name: fn for fn, spec in template_tools(client)}


async def test_the_catalog_lists_every_template(tools: dict[str, Any]) -> None:
    catalog = await tools["get_all_templates"]()
    assert catalog.total == len(CATALOG) and catalog.next_offset is None
    ntp = next(t for t in catalog.templates if t.name == "NTP-Servers")
    assert (ntp.id, ntp.project, ntp.latest_version, ntp.versions) == (
        NTP.id,
        "Day-N",
        len(NTP.versions),
        len(NTP.versions),
    )


async def test_the_catalog_filters_by_project_and_name(tools: dict[str, Any]) -> None:
    campus = await tools["get_all_templates"](project="Campus")
    assert {t.name for t in campus.templates} == {t.name for t in CATALOG if t.project == "Campus"}
    vlans = await tools["get_all_templates"](name="vlan")
    assert [t.name for t in vlans.templates] == ["Access-VLANs"]


async def test_a_template_shows_parameters_versions_and_content(tools: dict[str, Any]) -> None:
    detail = await tools["get_template"](NTP.id)
    assert [p.name for p in detail.parameters] == ["timezone", "ntp_primary", "ntp_secondary"]
    assert [v.version for v in detail.versions] == [1, 2]
    assert detail.content and "ntp server $ntp_primary" in detail.content
    brief = await tools["get_template"](NTP.id, include_content=False)
    assert brief.content is None


async def test_an_unknown_template_is_named(tools: dict[str, Any]) -> None:
    with pytest.raises(UpstreamError, match=f"template {UNKNOWN} was not found"):
        await tools["get_template"](UNKNOWN)


async def test_a_preview_renders_and_lists_missing_parameters(tools: dict[str, Any]) -> None:
    full = await tools["preview_template"](NTP.id, NTP_PARAMS)
    assert full.complete and "ntp server 10.0.0.123 prefer" in full.cli and not full.problems
    partial = await tools["preview_template"](NTP.id, {"ntp_primary": "10.0.0.1"})
    assert not partial.complete and len(partial.problems) == 2
    assert any("timezone" in p for p in partial.problems)


async def test_a_deployment_waits_for_every_device(tools: dict[str, Any], simulator: Any) -> None:
    targets = [HOSTS["lon-acc-01"].id, HOSTS["lon-acc-02"].id]
    result = await tools["deploy_template"](NTP.id, targets, NTP_PARAMS)
    assert (result.status, result.succeeded, result.failed) == ("SUCCESS", 2, 0)
    assert {d.hostname for d in result.devices} == {"lon-acc-01", "lon-acc-02"}
    assert result.template_name == "NTP-Servers" and result.template_version == "2"
    deployed = simulator.deployed()
    assert deployed[targets[0]]["templates"]["NTP-Servers"]["deployment_id"] == result.deployment_id


async def test_a_partial_failure_is_reported_per_device_not_raised(tools: dict[str, Any]) -> None:
    targets = [HOSTS["par-acc-01"].id, HOSTS["par-acc-03"].id]  # par-acc-03 is unreachable
    result = await tools["deploy_template"](NTP.id, targets, NTP_PARAMS)
    assert (result.status, result.succeeded, result.failed) == ("PARTIAL_FAILURE", 1, 1)
    failed = next(d for d in result.devices if d.status == "FAILURE")
    assert failed.hostname == "par-acc-03" and "unreachable" in (failed.message or "")
    assert "failed on par-acc-03" in result.summary


async def test_a_rejected_template_fails_on_every_device(tools: dict[str, Any]) -> None:
    broken = TEMPLATES["Broken-Template"]
    result = await tools["deploy_template"](
        broken.id, [HOSTS["sjc-acc-01"].id], {"interface": "GigabitEthernet1/0/10"}
    )
    assert (result.status, result.failed) == ("FAILURE", 1)
    assert "Invalid input" in (result.devices[0].message or "")


async def test_per_device_parameters_and_pinned_versions(
    tools: dict[str, Any], simulator: Any
) -> None:
    vlans = TEMPLATES["Access-VLANs"]
    a, b = HOSTS["par-acc-01"].id, HOSTS["par-acc-02"].id
    result = await tools["deploy_template"](
        vlans.id,
        [a, b],
        {"vlan_id": 30, "vlan_name": "CAMERAS"},
        per_device_params={
            a: {"access_ports": ["Gi1/0/5", "Gi1/0/6"]},
            b: {"access_ports": ["Gi1/0/7"]},
        },
        version=2,
    )
    assert result.status == "SUCCESS" and result.template_version is not None
    deployed = simulator.deployed()
    assert deployed[a]["templates"]["Access-VLANs"]["version"] == 2
    assert "Gi1/0/6" in deployed[a]["templates"]["Access-VLANs"]["rendered"]
    assert "Gi1/0/6" not in deployed[b]["templates"]["Access-VLANs"]["rendered"]


async def test_bad_requests_are_refused_before_deploying(
    tools: dict[str, Any], simulator: Any
) -> None:
    dev = HOSTS["par-acc-01"].id
    before = simulator.stats()["tasks_created"]
    with pytest.raises(InvalidArgument, match="no version 9"):
        await tools["deploy_template"](NTP.id, [dev], NTP_PARAMS, version=9)
    with pytest.raises(InvalidArgument, match="twice"):
        await tools["deploy_template"](NTP.id, [dev, dev], NTP_PARAMS)
    with pytest.raises(InvalidArgument, match="not in device_ids"):
        await tools["deploy_template"](NTP.id, [dev], NTP_PARAMS, per_device_params={UNKNOWN: {}})
    assert simulator.stats()["tasks_created"] == before


async def test_a_failed_deploy_task_raises_with_its_reason(
    tools: dict[str, Any], simulator: Any
) -> None:
    simulator.fail_next_task("Template is locked by another user")
    with pytest.raises(TaskFailed, match="failed: Template is locked by another user"):
        await tools["deploy_template"](NTP.id, [HOSTS["par-acc-01"].id], NTP_PARAMS)


async def test_a_hung_deploy_task_times_out(tools: dict[str, Any], simulator: Any) -> None:
    simulator.hang_next_task()
    with pytest.raises(TaskTimedOut, match="get_task"):
        await tools["deploy_template"](NTP.id, [HOSTS["par-acc-01"].id], NTP_PARAMS)
