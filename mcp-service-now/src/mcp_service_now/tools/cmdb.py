"""CMDB tools (read): look configuration items up by name or IP, and list their relations."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import Field

from mcp_common.server import Toolset

from ..client import ServiceNowClient
from ..errors import InvalidArgument
from ..lookups import fetch_ci
from ..models.cmdb import (
    CI_DETAIL_FIELDS,
    CI_FIELDS,
    RELATION_FIELDS,
    CiDetail,
    CiList,
    CiRelation,
    CiRelations,
    ConfigurationItem,
)
from ..query import QueryBuilder
from ..records import display, value
from .common import Details, Limit, Offset

__all__ = ["cmdb_tools"]

Name = Annotated[
    str | None, Field(max_length=100, description="Part of the CI name (hostname), e.g. par-core")
]
Address = Annotated[str | None, Field(max_length=45, description="Exact IPv4 or IPv6 address")]
CiRef = Annotated[str, Field(min_length=1, max_length=100, description="CI name or sys_id")]


def cmdb_tools(client: ServiceNowClient) -> Toolset:
    """The CMDB toolset over one ServiceNow client."""
    ts = Toolset("cmdb", "Look up configuration items and their relationships")

    @ts.tool(action="read", title="Look up configuration items", cache_ttl=60, cache_tags={"cmdb"})
    async def lookup_ci(
        name: Name = None,
        ip_address: Address = None,
        limit: Limit = 10,
        details: Details = False,
    ) -> CiList:
        """Find configuration items by name (contains) or by IP address (exact); give one."""
        if (name is None) == (ip_address is None):
            raise InvalidArgument("give exactly one of name or ip_address")
        q = QueryBuilder("cmdb_ci")
        if name is not None:
            if not name.strip():
                raise InvalidArgument("name must not be blank")
            q.where("name", "LIKE", name.strip())
        else:
            try:
                address = ipaddress.ip_address((ip_address or "").strip())
            except ValueError:
                raise InvalidArgument(f"'{ip_address}' is not an IP address") from None
            q.where("ip_address", "=", str(address))
        fields = CI_DETAIL_FIELDS if details else CI_FIELDS
        page = await client.list_records(
            "cmdb_ci", query=q.order_by("name").build(), fields=fields, limit=limit
        )
        kind = CiDetail if details else ConfigurationItem
        return CiList(total=page.total, items=[kind.from_record(r) for r in page.records])

    @ts.tool(action="read", title="Get a CI's relationships", cache_ttl=60, cache_tags={"cmdb"})
    async def get_ci_relations(ci: CiRef, limit: Limit = 50, offset: Offset = 0) -> CiRelations:
        """The CMDB relationships of one CI (what it connects to, depends on, is used by)."""
        record = await fetch_ci(client, ci, ("sys_id", "name"))
        sys_id = value(record, "sys_id")
        q = QueryBuilder("cmdb_rel_ci").where_any([("parent", "=", sys_id), ("child", "=", sys_id)])
        page = await client.list_records(
            "cmdb_rel_ci", query=q.order_by("type.name").build(), fields=RELATION_FIELDS,
            limit=limit, offset=offset,
        )  # fmt: skip
        return CiRelations(
            ci=display(record, "name"),
            sys_id=sys_id,
            total=page.total,
            next_offset=page.next_offset,
            relations=[CiRelation.seen_from(r, sys_id) for r in page.records],
        )

    return ts
