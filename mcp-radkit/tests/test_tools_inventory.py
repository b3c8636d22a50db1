"""list_devices and get_device: filters, pages, and unknown names."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_radkit.client import RadkitClient
from mcp_radkit.errors import DeviceNotFound
from mcp_radkit.tools.inventory import inventory_tools


@pytest.fixture(scope="module")
def tools(client: RadkitClient) -> dict[str, Any]:
    return {spec.name: fn for fn, spec in inventory_tools(client)}


async def test_devices_are_listed_by_name_with_filters(tools: dict[str, Any]) -> None:
    everything = await tools["list_devices"]()
    assert everything.total == everything.count == 20
    assert [d.name for d in everything.devices] == sorted(d.name for d in everything.devices)
    nexus = await tools["list_devices"](device_type="nxos")
    assert [d.name for d in nexus.devices] == ["lon-core-01"]
    paris_core = await tools["list_devices"](name="PAR-*", label="core")
    assert [d.name for d in paris_core.devices] == ["par-core-01", "par-core-02"]
    assert (await tools["list_devices"](name="nothing-*")).total == 0


async def test_pages_say_where_the_next_one_starts(tools: dict[str, Any]) -> None:
    first = await tools["list_devices"](limit=8)
    assert (first.count, first.next_offset) == (8, 9)
    last = await tools["list_devices"](offset=17, limit=8)
    assert (last.total, last.count, last.next_offset) == (20, 4, None)
    names = {d.name for d in first.devices} & {d.name for d in last.devices}
    assert not names


async def test_get_device_returns_labels_and_attributes(tools: dict[str, Any]) -> None:
    device = await tools["get_device"]("sjc-wlc-01")
    assert device.device_type == "IOS_XE"
    assert device.attributes["platform"] == "C9800-80-K9"
    assert "sanjose-campus" in device.labels


async def test_unknown_devices_are_named_in_the_error(tools: dict[str, Any]) -> None:
    with pytest.raises(DeviceNotFound, match="not in the RADKit inventory: 'par-acc-99'"):
        await tools["get_device"]("par-acc-99")
