"""The inventory toolset: list and describe the RADKit Service's devices (read)."""

from __future__ import annotations

import fnmatch
from typing import Annotated

from pydantic import Field

from mcp_common import Toolset

from ..client import RadkitClient
from ..models import DeviceDetail, DeviceList, DeviceSummary
from .common import DeviceName

__all__ = ["inventory_tools"]


def inventory_tools(client: RadkitClient) -> Toolset:
    """list_devices and get_device."""
    ts = Toolset("inventory", "The RADKit Service's device inventory")

    @ts.tool(action="read", title="List RADKit devices")
    async def list_devices(
        name: Annotated[
            str | None,
            Field(
                max_length=128,
                description="Name pattern, '*' and '?' as wildcards, e.g. "
                "'par-*' (case-insensitive)",
            ),
        ] = None,
        device_type: Annotated[
            str | None, Field(max_length=32, description="Device type, e.g. IOS_XE or NXOS")
        ] = None,
        label: Annotated[
            str | None,
            Field(
                max_length=64,
                description="Inventory label, e.g. a site ('paris-hq') or a "
                "role ('core', 'access', 'border')",
            ),
        ] = None,
        offset: Annotated[int, Field(ge=1, description="1-based position of the first device")] = 1,
        limit: Annotated[int, Field(ge=1, le=500, description="Devices per page (1-500)")] = 50,
    ) -> DeviceList:
        """List the devices reachable through the RADKit Service, filtered and paged.

        Returns names, management addresses and device types; pass a name to get_device for
        labels and attributes, or to exec_commands / collect_diagnostics to look inside.
        """
        devices = sorted(await client.inventory(), key=lambda d: d.name)
        if name:
            devices = [d for d in devices if fnmatch.fnmatch(d.name.lower(), name.lower())]
        if device_type:
            devices = [d for d in devices if d.device_type.lower() == device_type.lower()]
        if label:
            devices = [d for d in devices if label.lower() in (x.lower() for x in d.labels)]
        page = devices[offset - 1 : offset - 1 + limit]
        after = offset - 1 + len(page)
        return DeviceList(
            total=len(devices),
            offset=offset,
            count=len(page),
            next_offset=after + 1 if after < len(devices) else None,
            devices=[DeviceSummary.of(d) for d in page],
        )

    @ts.tool(action="read", title="Get a RADKit device")
    async def get_device(device: DeviceName) -> DeviceDetail:
        """Everything the RADKit inventory knows about one device (labels, serial, platform)."""
        return DeviceDetail.of(await client.device(device))

    return ts
