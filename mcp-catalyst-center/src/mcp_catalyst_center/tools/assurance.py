"""Assurance tools: device health, network health and issues."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mcp_common import Toolset

from ..client import CatalystCenterClient, page_params
from ..models.assurance import DeviceHealth, DeviceHealthList, Issue, IssueList, NetworkHealth
from ..models.common import Page
from .common import UUID_PATTERN, Limit, Offset, given

__all__ = ["assurance_tools"]

Site = Annotated[
    str | None,
    Field(min_length=1, max_length=128, description="Site name, hierarchy or id (sub-sites too)"),
]


def assurance_tools(client: CatalystCenterClient) -> Toolset:
    """Read-only tools over Catalyst Center Assurance."""
    ts = Toolset("assurance", "Device and network health, assurance issues")

    @ts.tool(action="read", title="Get device health")
    async def get_device_health(
        role: Annotated[
            Literal["ACCESS", "DISTRIBUTION", "CORE", "ROUTER", "WLC", "AP"] | None,
            Field(description="Only devices of this role"),
        ] = None,
        site: Site = None,
        health: Annotated[
            Literal["POOR", "FAIR", "GOOD"] | None,
            Field(description="Only devices in this health class (POOR 1-3, FAIR 4-7, GOOD 8-10)"),
        ] = None,
        offset: Offset = 1,
        limit: Limit = 50,
    ) -> DeviceHealthList:
        """Health scores (1-10) of devices with CPU, memory and reachability; filter POOR first."""
        page_params(offset, limit)
        filters = given(deviceRole=role, health=health)
        if site:
            filters["siteId"] = await client.site_id(site)
        records, total = await client.device_health(filters, offset=offset, limit=limit)
        devices = [DeviceHealth.from_api(r) for r in records]
        return DeviceHealthList(
            **Page.paging(offset, limit, len(devices), total),
            poor=sum(1 for d in devices if d.health == "POOR"),
            fair=sum(1 for d in devices if d.health == "FAIR"),
            good=sum(1 for d in devices if d.health == "GOOD"),
            devices=devices,
        )

    @ts.tool(action="read", title="Get network health")
    async def get_network_health() -> NetworkHealth:
        """The network's overall health score and its breakdown per device category."""
        return NetworkHealth.from_api(await client.network_health())

    @ts.tool(action="read", title="List assurance issues")
    async def list_issues(
        priority: Annotated[
            list[Literal["P1", "P2", "P3", "P4"]] | None,
            Field(description="Only these priorities (P1 is the most urgent)"),
        ] = None,
        status: Annotated[
            Literal["active", "resolved", "ignored"] | None,
            Field(description="Only issues in this state (default: all)"),
        ] = None,
        device_id: Annotated[
            str | None, Field(pattern=UUID_PATTERN, description="Only this device's issues")
        ] = None,
        site: Site = None,
        offset: Offset = 1,
        limit: Limit = 50,
    ) -> IssueList:
        """Assurance issues (most urgent and most recent first) with counts per priority."""
        page_params(offset, limit)
        priorities = ",".join(sorted(set(priority or ())))
        params = given(priority=priorities, issueStatus=status, deviceId=device_id)
        if site:
            params["siteId"] = await client.site_id(site)
        records = await client.issues(params)
        # Newest first, then (stable) most urgent first.
        issues = sorted(
            (Issue.from_api(r) for r in records),
            key=lambda i: i.last_occurred_at or "",
            reverse=True,
        )
        issues.sort(key=lambda i: i.priority or "P9")
        by_priority: dict[str, int] = {}
        for issue in issues:
            key = issue.priority or "unknown"
            by_priority[key] = by_priority.get(key, 0) + 1
        page = issues[offset - 1 : offset - 1 + limit]
        return IssueList(
            **Page.paging(offset, limit, len(page), len(issues)),
            by_priority=by_priority,
            issues=page,
        )

    return ts
