"""Inventory tools: devices, their interfaces and configurations, and the site hierarchy."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from pydantic import Field

from mcp_common import Toolset, UpstreamError
from mcp_common.config_masking import mask_config

from ..client import CatalystCenterClient
from ..errors import BACKEND
from ..models import (
    DeviceConfig,
    DeviceDetail,
    DeviceInterfaces,
    DeviceList,
    DeviceSummary,
    Interface,
    Site,
    SiteList,
)
from ..models.common import as_int, next_offset
from .common import (
    MAX_LIMIT,
    V1,
    DeviceId,
    Limit,
    Offset,
    as_records,
    not_found,
    page_params,
    resolve_site_id,
    site_device_ips,
    truncate,
    unwrap,
)

__all__ = ["inventory_tools"]

Pattern = Annotated[str | None, Field(min_length=1, max_length=128)]


def inventory_tools(client: CatalystCenterClient, *, max_output_chars: int = 60_000) -> Toolset:
    """Read-only tools over Catalyst Center's inventory."""
    ts = Toolset("inventory", "Network devices, interfaces, configurations and sites")

    @ts.tool(action="read", title="List network devices")
    async def list_devices(
        hostname: Annotated[
            Pattern, Field(description="Hostname, exact or with * wildcards (par-acc-*)")
        ] = None,
        platform: Annotated[
            Pattern, Field(description="Platform id (model), e.g. C9300-48U or C9300*")
        ] = None,
        family: Annotated[
            Pattern,
            Field(description="Family: 'Switches and Hubs', 'Routers', 'Wireless Controller'"),
        ] = None,
        site: Annotated[
            Pattern,
            Field(description="Site name, hierarchy (Global/EMEA/Paris-HQ) or id; sub-sites too"),
        ] = None,
        reachability: Annotated[
            Literal["Reachable", "Unreachable"] | None,
            Field(description="Only devices in this reachability state"),
        ] = None,
        offset: Offset = 1,
        limit: Limit = 50,
    ) -> DeviceList:
        """List managed network devices (summaries), filtered and paged.

        Use get_device for one device's full record. Filters combine (AND).
        """
        paging = page_params(offset, limit)
        filters: dict[str, Any] = {}
        for key, value in (("hostname", hostname), ("platformId", platform),
                           ("family", family), ("reachabilityStatus", reachability)):  # fmt: skip
            if value:
                filters[key] = value
        if site:
            ips = await site_device_ips(client, await resolve_site_id(client, site))
            if not ips:
                return DeviceList(total=0, offset=offset, count=0, next_offset=None, devices=[])
            filters["managementIpAddress"] = ips
        # Both at once; every outcome is collected so no failure goes unobserved.
        outcomes: tuple[Any, ...] = await asyncio.gather(
            client.get(f"{V1}/network-device", {**filters, **paging}),
            client.get(f"{V1}/network-device/count", filters),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        page, total = outcomes
        devices = [DeviceSummary.from_api(r) for r in as_records(unwrap(page))]
        count = as_int(unwrap(total))
        return DeviceList(
            total=count,
            offset=offset,
            count=len(devices),
            next_offset=next_offset(offset, len(devices), limit, count),
            devices=devices,
        )

    @ts.tool(action="read", title="Get one device")
    async def get_device(device_id: DeviceId) -> DeviceDetail:
        """Get one network device's full inventory record (serial, uptime, software...)."""
        with not_found(f"device {device_id}"):
            record = unwrap(await client.get(f"{V1}/network-device/{device_id}"))
        if not isinstance(record, dict):
            raise UpstreamError("Catalyst Center returned a malformed device", backend=BACKEND)
        return DeviceDetail.from_api(record)

    @ts.tool(action="read", title="Get a device's interfaces")
    async def get_device_interfaces(
        device_id: DeviceId,
        status: Annotated[
            Literal["up", "down"] | None,
            Field(description="Only interfaces operationally up, or down"),
        ] = None,
    ) -> DeviceInterfaces:
        """List a device's interfaces with status, mode, VLAN and addresses, and up/down counts."""
        with not_found(f"device {device_id}"):
            records = as_records(
                unwrap(await client.get(f"{V1}/interface/network-device/{device_id}"))
            )
        interfaces = [Interface.from_api(r) for r in records]
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

    @ts.tool(action="read", title="Get a device's running configuration")
    async def get_device_config(device_id: DeviceId) -> DeviceConfig:
        """Get a device's running configuration; passwords, keys and communities are masked."""
        with not_found(f"device {device_id}"):
            text = unwrap(await client.get(f"{V1}/network-device/{device_id}/config"))
        if not isinstance(text, str):
            raise UpstreamError("Catalyst Center returned a malformed config", backend=BACKEND)
        masked = mask_config(text)
        config, cut = truncate(masked.text, max_output_chars)
        return DeviceConfig(
            device_id=device_id,
            lines=len(masked.text.splitlines()),
            masked_secrets=masked.masked,
            truncated=cut,
            config=config,
        )

    @ts.tool(action="read", title="List sites")
    async def list_sites(
        name: Annotated[
            Pattern, Field(description="Site name or full hierarchy (Global/EMEA/Paris-HQ)")
        ] = None,
        type: Annotated[
            Literal["area", "building", "floor"] | None, Field(description="Only this site type")
        ] = None,
        offset: Offset = 1,
        limit: Limit = 100,
    ) -> SiteList:
        """List the site hierarchy (areas, buildings, floors) with ids and full names."""
        paging = page_params(offset, limit)
        # One more than asked tells whether another page exists.
        params: dict[str, Any] = {**paging, "limit": min(limit + 1, MAX_LIMIT)}
        if name:
            params["nameHierarchy" if "/" in name else "name"] = name
        if type:
            params["type"] = type
        records = as_records(unwrap(await client.get(f"{V1}/sites", params)))
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
