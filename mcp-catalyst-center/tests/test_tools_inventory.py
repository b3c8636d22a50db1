"""Inventory tools against the simulator: filters, paging, sites, 404s, masked configs."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_catalyst_center.client import CatalystCenterClient, page_params
from mcp_catalyst_center.errors import InvalidArgument
from mcp_catalyst_center.tools.inventory import inventory_tools
from mcp_common import UpstreamError
from simulator_kit.network import DEVICES, SITES

UNKNOWN = "00000000-0000-4000-8000-000000000000"
PARIS = [d for d in DEVICES if d.hostname.startswith("par-")]


@pytest.fixture(scope="module")
def tools(client: CatalystCenterClient) -> dict[str, Any]:
    return {spec.name: fn for fn, spec in inventory_tools(client, max_output_chars=2_000)}


async def test_all_devices_fit_one_default_page(tools: dict[str, Any]) -> None:
    page = await tools["list_devices"]()
    assert (page.total, page.count, page.next_offset) == (len(DEVICES), len(DEVICES), None)
    assert {d.hostname for d in page.devices} == {d.hostname for d in DEVICES}


async def test_pages_follow_each_other_until_the_last(tools: dict[str, Any]) -> None:
    seen: list[str] = []
    offset: int | None = 1
    while offset is not None:
        page = await tools["list_devices"](offset=offset, limit=7)
        assert page.total == len(DEVICES)
        seen += [d.id for d in page.devices]
        offset = page.next_offset
    assert sorted(seen) == sorted(d.id for d in DEVICES)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"family": "Routers"}, {d.hostname for d in DEVICES if d.family == "Routers"}),
        ({"hostname": "lon-acc-*"}, {"lon-acc-01", "lon-acc-02"}),
        (
            {"platform": "C9300*", "site": "Paris-HQ"},
            {d.hostname for d in PARIS if d.platform.startswith("C9300")},
        ),
        ({"reachability": "Unreachable"}, {d.hostname for d in DEVICES if not d.reachable}),
        ({"site": "Global/EMEA/Paris-HQ"}, {d.hostname for d in PARIS}),
        ({"site": "EMEA"}, {d.hostname for d in DEVICES if d.hostname[:3] in ("par", "lon")}),
        ({"site": SITES[1].id}, {d.hostname for d in PARIS}),
    ],
)
async def test_filters_combine(
    tools: dict[str, Any], filters: dict[str, str], expected: set[str]
) -> None:
    page = await tools["list_devices"](**filters)
    assert {d.hostname for d in page.devices} == expected
    assert page.total == len(expected)


async def test_an_unknown_site_is_a_clear_error(tools: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument, match="no site is named 'Atlantis'"):
        await tools["list_devices"](site="Atlantis")


@pytest.mark.parametrize(("offset", "limit"), [(0, 10), (1, 0), (1, 501)])
def test_paging_bounds_are_checked(offset: int, limit: int) -> None:
    with pytest.raises(InvalidArgument):
        page_params(offset, limit)


async def test_get_device_returns_the_full_record(tools: dict[str, Any]) -> None:
    router = next(d for d in DEVICES if d.hostname == "par-rtr-01")
    detail = await tools["get_device"](router.id)
    assert (detail.hostname, detail.serial_number, detail.management_ip) == (
        router.hostname,
        router.serial,
        router.ip,
    )
    assert detail.uptime and detail.software_type == "IOS-XE"


@pytest.mark.parametrize("tool", ["get_device", "get_device_interfaces", "get_device_config"])
async def test_an_unknown_device_is_named_in_the_error(tools: dict[str, Any], tool: str) -> None:
    with pytest.raises(UpstreamError, match=f"device {UNKNOWN} was not found") as caught:
        await tools[tool](UNKNOWN)
    assert caught.value.status == 404


async def test_interfaces_are_counted_and_filtered(tools: dict[str, Any]) -> None:
    core = next(d for d in DEVICES if d.hostname == "par-core-01")
    every = await tools["get_device_interfaces"](core.id)
    down = await tools["get_device_interfaces"](core.id, status="down")
    assert every.total == every.up + every.down == every.count
    assert down.count == every.down and all(i.status == "down" for i in down.interfaces)
    assert any(i.ipv4_address for i in every.interfaces)


async def test_configs_are_masked_and_cut_at_the_size_limit(tools: dict[str, Any]) -> None:
    config = await tools["get_device_config"](PARIS[0].id)
    assert config.masked_secrets >= 5 and "<masked>" in config.config
    assert config.truncated and config.config.endswith("[truncated]")
    assert config.lines > 50


async def test_sites_list_and_filter(tools: dict[str, Any]) -> None:
    every = await tools["list_sites"]()
    assert every.count == len(SITES) + 1 and every.next_offset is None  # plus Global
    buildings = await tools["list_sites"](type="building")
    assert {s.name for s in buildings.sites} == {s.name for s in SITES if s.kind == "building"}
    first = await tools["list_sites"](limit=2)
    assert (first.count, first.next_offset, first.total) == (2, 3, None)
    paris = await tools["list_sites"](name="Global/EMEA/Paris-HQ")
    assert [s.id for s in paris.sites] == [SITES[1].id]
