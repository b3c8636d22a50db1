"""Inventory tools: devices, their interfaces and configurations, and the site hierarchy."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mcp_common import Toolset
from mcp_common.network import mask_config, truncate

from ..client import MAX_LIMIT, CatalystCenterClient, page_params
from ..models.common import Page
from ..models.inventory import (
    DeviceConfig,
    DeviceDetail,
    DeviceInterfaces,
    DeviceList,
    DeviceSummary,
    Interface,
    Site,
    SiteList,
)
from .common import DeviceId, Limit, Offset, given

__all__ = ["inventory_tools"]

Pattern = Annotated[str | None, Field(min_length=1, max_length=128)]
Hostname = Annotated[Pattern, Field(description="Hostname, exact or with * wildcards (par-acc-*)")]
Platform = Annotated[Pattern, Field(description="Platform id (model), e.g. C9300-48U or C9300*")]
Family = Annotated[
    Pattern, Field(description="Family: 'Switches and Hubs', 'Routers', 'Wireless Controller'")
]
SiteRef = Annotated[
    Pattern, Field(description="Site name, hierarchy (Global/EMEA/Paris-HQ) or id; sub-sites too")
]
Reachability = Annotated[
    Literal["Reachable", "Unreachable"] | None,
    Field(description="Only devices in this reachability state"),
]
SiteName = Annotated[
    Pattern, Field(description="Site name or full hierarchy (Global/EMEA/Paris-HQ)")
]
SiteType = Annotated[
    Literal["area", "building", "floor"] | None, Field(description="Only this site type")
]


def inventory_tools(client: CatalystCenterClient, *, max_output_chars: int = 60_000) -> Toolset:
    """Read-only tools over Catalyst Center's inventory."""
    ts = Toolset("inventory", "Network devices, interfaces, configurations and sites")

    @ts.tool(action="read", title="List network devices", cache_ttl=30, cache_tags={"inventory"})
    async def list_devices(
        hostname: Hostname = None,
        platform: Platform = None,
        family: Family = None,
        site: SiteRef = None,
        reachability: Reachability = None,
        offset: Offset = 1,
        limit: Limit = 50,
    ) -> DeviceList:
        """List managed network devices (summaries), filtered and paged.

        Use get_device for one device's full record. Filters combine (AND).
        """
        page_params(offset, limit)
        filters = given(hostname=hostname, platformId=platform, family=family,
                        reachabilityStatus=reachability)  # fmt: skip
        if site:
            ips = await client.site_device_ips(await client.site_id(site))
            if not ips:
                return DeviceList(total=0, offset=offset, count=0, next_offset=None, devices=[])
            filters["managementIpAddress"] = ips
        records, count = await client.list_devices(filters, offset=offset, limit=limit)
        devices = [DeviceSummary.from_api(r) for r in records]
        return DeviceList(**Page.paging(offset, limit, len(devices), count), devices=devices)

    @ts.tool(action="read", title="Get one device", cache_ttl=30, cache_tags={"inventory"})
    async def get_device(device_id: DeviceId) -> DeviceDetail:
        """Get one network device's full inventory record (serial, uptime, software...)."""
        return DeviceDetail.from_api(await client.get_device(device_id))

    @ts.tool(
        action="read", title="Get a device's interfaces", cache_ttl=30, cache_tags={"inventory"}
    )
    async def get_device_interfaces(
        device_id: DeviceId,
        status: Annotated[
            Literal["up", "down"] | None,
            Field(description="Only interfaces operationally up, or down"),
        ] = None,
    ) -> DeviceInterfaces:
        """List a device's interfaces with status, mode, VLAN and addresses, and up/down counts."""
        interfaces = [Interface.from_api(r) for r in await client.device_interfaces(device_id)]
        up = sum(1 for i in interfaces if (i.status or "").lower() == "up")
        shown = [i for i in interfaces if status is None or (i.status or "").lower() == status]
        return DeviceInterfaces(
            device_id=device_id,
            total=len(interfaces),
            up=up,
            down=len(interfaces) - up,
            count=len(shown),
            interfaces=shown,
        )

    @ts.tool(
        action="read",
        title="Get a device's running configuration",
        cache_ttl=30,
        cache_tags={"config"},
    )
    async def get_device_config(device_id: DeviceId) -> DeviceConfig:
        """Get a device's running configuration; passwords, keys and communities are masked."""
        masked = mask_config(await client.device_config(device_id))
        config, cut = truncate(masked.text, max_output_chars)
        return DeviceConfig(
            device_id=device_id,
            lines=len(masked.text.splitlines()),
            masked_secrets=masked.masked,
            truncated=cut,
            config=config,
        )

    @ts.tool(action="read", title="List sites", cache_ttl=300, cache_tags={"sites"})
    async def list_sites(
        name: SiteName = None,
        type: SiteType = None,
        offset: Offset = 1,
        limit: Limit = 100,
    ) -> SiteList:
        """List the site hierarchy (areas, buildings, floors) with ids and full names."""
        page_params(offset, limit)
        # One more than asked tells whether another page exists.
        records = await client.list_sites(
            name=name, site_type=type, offset=offset, limit=min(limit + 1, MAX_LIMIT)
        )
        more = len(records) > limit or len(records) == limit == MAX_LIMIT
        sites = [Site.from_api(r) for r in records[:limit]]
        return SiteList(
            total=None if more else offset - 1 + len(sites),
            offset=offset,
            count=len(sites),
            next_offset=offset + len(sites) if more else None,
            sites=sites,
        )

    return ts
