"""Assurance tools against the simulator: device health, network health, issues."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_catalyst_center.client import CatalystCenterClient
from mcp_catalyst_center.tools.assurance import assurance_tools
from simulator_kit.network import DEVICES, SITES


@pytest.fixture(scope="module")
def tools(client: CatalystCenterClient) -> dict[str, Any]:
    return {spec.name: fn for fn, spec in assurance_tools(client)}


async def test_device_health_pages_with_class_counts(tools: dict[str, Any]) -> None:
    page = await tools["get_device_health"](limit=5)
    assert page.total == len(DEVICES) and page.count == 5 and page.next_offset == 6
    assert page.poor + page.fair + page.good == 5


async def test_unreachable_devices_are_in_poor_health(tools: dict[str, Any]) -> None:
    poor = await tools["get_device_health"](health="POOR")
    unreachable = {d.hostname for d in DEVICES if not d.reachable}
    assert unreachable <= {d.name for d in poor.devices}
    assert all(d.health == "POOR" and d.overall_health <= 3 for d in poor.devices)


async def test_device_health_by_site_and_role(tools: dict[str, Any]) -> None:
    paris_core = await tools["get_device_health"](site="Paris-HQ", role="CORE")
    assert {d.name for d in paris_core.devices} == {"par-core-01", "par-core-02"}


async def test_network_health_summarises_every_category(tools: dict[str, Any]) -> None:
    health = await tools["get_network_health"]()
    assert health.total_devices == len(DEVICES)
    assert health.good + health.fair + health.poor == len(DEVICES)
    assert {c.category for c in health.categories} >= {"Access", "Core", "Router", "Wireless"}
    assert health.measured_at and health.measured_at.endswith("Z")


async def test_issues_are_most_urgent_first_with_counts(tools: dict[str, Any]) -> None:
    issues = await tools["list_issues"]()
    priorities = [i.priority for i in issues.issues]
    assert priorities == sorted(priorities)
    assert sum(issues.by_priority.values()) == issues.total == issues.count
    assert issues.by_priority["P1"] == sum(1 for d in DEVICES if not d.reachable)


async def test_issues_filter_and_page(tools: dict[str, Any]) -> None:
    active = await tools["list_issues"](status="active", priority=["P2", "P3"], limit=2)
    assert active.count == 2 and active.next_offset == 3
    assert all(i.status == "active" and i.priority in ("P2", "P3") for i in active.issues)
    paris = await tools["list_issues"](site=SITES[1].id)
    assert paris.total and all(i.site_id == SITES[1].id for i in paris.issues)
