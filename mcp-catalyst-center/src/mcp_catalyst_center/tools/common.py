"""Helpers shared by the toolsets: argument types, paging, 404s, sites, envelopes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from pydantic import Field

from mcp_common import UpstreamError

from ..client import CatalystCenterClient
from ..errors import BACKEND, InvalidArgument

__all__ = [
    "MAX_LIMIT",
    "UUID_PATTERN",
    "DeviceId",
    "Limit",
    "Offset",
    "as_records",
    "not_found",
    "page_params",
    "resolve_site_id",
    "site_device_ips",
    "truncate",
    "unwrap",
]

MAX_LIMIT = 500  # Catalyst Center's largest page
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_UUID = re.compile(UUID_PATTERN)
V1 = "/dna/intent/api/v1"

DeviceId = Annotated[
    str, Field(pattern=UUID_PATTERN, description="Device id (UUID), as list_devices returns it")
]
Offset = Annotated[
    int, Field(ge=1, description="1-based position of the first item (next_offset of a page)")
]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description="Items per page (1-500)")]


def page_params(offset: int, limit: int) -> dict[str, int]:
    """Catalyst Center paging: offset counts from 1, 1 <= limit <= 500."""
    if offset < 1:
        raise InvalidArgument(f"offset counts from 1, got {offset}")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidArgument(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    return {"offset": offset, "limit": limit}


@contextmanager
def not_found(what: str) -> Iterator[None]:
    """Turn a backend 404 into a message naming what was not found."""
    try:
        yield
    except UpstreamError as exc:
        if exc.status == 404:
            message = f"{what} was not found in Catalyst Center"
            raise UpstreamError(message, backend=BACKEND, status=404, kind="http") from None
        raise


def unwrap(body: Any) -> Any:
    """The `response` of the Intent API envelope, or the body of APIs without one."""
    if isinstance(body, dict) and "response" in body:
        return body["response"]
    return body


def as_records(value: Any) -> list[dict[str, Any]]:
    """The dict entries of a list answer (anything else is dropped)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def truncate(text: str, max_chars: int) -> tuple[str, bool]:
    """The text cut to `max_chars`, and whether it was cut."""
    if len(text) <= max_chars:
        return text, False
    return text[:max_chars] + "\n... [truncated]", True


async def resolve_site_id(client: CatalystCenterClient, site: str) -> str:
    """A site id from an id, a name ("Paris-HQ") or a hierarchy ("Global/EMEA/Paris-HQ")."""
    site = site.strip()
    if _UUID.match(site):
        return site
    key = "nameHierarchy" if "/" in site else "name"
    records = as_records(unwrap(await client.get(f"{V1}/sites", {key: site})))
    matches = [r for r in records if site.lower() in _names(r)]
    if not matches:
        raise InvalidArgument(f"no site is named {site!r}; list_sites shows the site names")
    if len(matches) > 1:
        names = ", ".join(sorted(str(r.get("nameHierarchy") or r.get("name")) for r in matches))
        raise InvalidArgument(f"several sites are named {site!r} ({names}); give the hierarchy")
    return str(matches[0]["id"])


def _names(record: dict[str, Any]) -> set[str]:
    names = (record.get("name"), record.get("nameHierarchy"), record.get("siteNameHierarchy"))
    return {str(n).lower() for n in names if n}


async def site_device_ips(client: CatalystCenterClient, site_id: str) -> list[str]:
    """Management IPs of the devices in a site and its children (via device health)."""
    ips: list[str] = []
    offset = 1
    while True:
        params = {"siteId": site_id, **page_params(offset, MAX_LIMIT)}
        page = as_records(unwrap(await client.get(f"{V1}/device-health", params)))
        ips += [str(r["ipAddress"]) for r in page if r.get("ipAddress")]
        if len(page) < MAX_LIMIT:
            return ips
        if len(ips) >= MAX_LIMIT:
            raise InvalidArgument(
                f"the site holds more than {MAX_LIMIT} devices; choose a smaller site or "
                "filter by hostname or platform instead"
            )
        offset += MAX_LIMIT
