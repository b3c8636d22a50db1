"""The site hierarchy as `GET /dna/intent/api/v1/site` and `.../sites` show it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from simulator_kit.network import SITES

from .devices import TENANT_ID

__all__ = ["GLOBAL_ID", "SiteNode", "site_by_id", "site_nodes", "site_v1_view", "site_view"]

# The inventory starts below "Global"; Catalyst Center always has that root site.
GLOBAL_ID = str(uuid.uuid5(uuid.UUID("6f1c1f2e-5a0b-4f43-9a57-0c0ffee00000"), "site:global"))

_ADDRESSES = {
    "Paris-HQ": ("12 Rue de la Paix, 75002 Paris, France", 48.8686, 2.3314, "France"),
    "London-DC": ("1 Canada Square, London E14 5AB, United Kingdom", 51.5049, -0.0195,
                  "United Kingdom"),
    "SanJose-Campus": ("170 W Tasman Dr, San Jose, CA 95134, USA", 37.4089, -121.9533,
                       "United States"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SiteNode:
    """A site with its parent resolved."""

    id: str
    name: str
    name_hierarchy: str
    id_hierarchy: str
    parent_id: str | None
    kind: str  # global | area | building


def site_nodes() -> list[SiteNode]:
    """Global plus every inventory site, parents first."""
    by_path = {"Global": GLOBAL_ID}
    ids = {"Global": GLOBAL_ID}
    nodes = [SiteNode(GLOBAL_ID, "Global", "Global", GLOBAL_ID, None, "global")]
    for site in sorted(SITES, key=lambda s: s.hierarchy.count("/")):
        parent_path = site.hierarchy.rsplit("/", 1)[0]
        parent = by_path.get(parent_path, GLOBAL_ID)
        by_path[site.hierarchy] = site.id
        ids[site.hierarchy] = f"{ids.get(parent_path, GLOBAL_ID)}/{site.id}"
        nodes.append(SiteNode(site.id, site.name, site.hierarchy, ids[site.hierarchy], parent,
                              site.kind))  # fmt: skip
    return nodes


def site_by_id(site_id: str) -> SiteNode | None:
    """The site with this id, if any."""
    return next((n for n in site_nodes() if n.id == site_id), None)


def site_v1_view(node: SiteNode) -> dict[str, Any]:
    """One entry of the older `GET /dna/intent/api/v1/site`."""
    attributes: dict[str, Any] = {"type": node.kind}
    if node.name in _ADDRESSES:
        address, lat, lon, country = _ADDRESSES[node.name]
        attributes.update(address=address, latitude=str(lat), longitude=str(lon),
                          country=country)  # fmt: skip
    view: dict[str, Any] = {
        "name": node.name,
        "additionalInfo": [{"nameSpace": "Location", "attributes": attributes}],
        "siteHierarchy": node.id_hierarchy,
        "siteNameHierarchy": node.name_hierarchy,
        "instanceTenantId": TENANT_ID,
        "id": node.id,
    }
    if node.parent_id:
        view["parentId"] = node.parent_id
    return view


def site_view(node: SiteNode) -> dict[str, Any]:
    """One entry of the newer `GET /dna/intent/api/v1/sites`."""
    view: dict[str, Any] = {
        "id": node.id,
        "parentId": node.parent_id,
        "name": node.name,
        "nameHierarchy": node.name_hierarchy,
        "type": node.kind,
    }
    if node.name in _ADDRESSES:
        address, lat, lon, country = _ADDRESSES[node.name]
        view.update(address=address, latitude=lat, longitude=lon, country=country)
    return view
