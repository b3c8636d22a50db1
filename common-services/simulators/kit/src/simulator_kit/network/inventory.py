"""The sandbox network: one deterministic inventory shared by every backend simulator.

Catalyst Center serves these devices; ServiceNow's CMDB holds a CI for each of them
(same hostname, IP and serial), so workflows can cross-reference the two systems.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

__all__ = ["DEVICES", "SITES", "Device", "Site"]

_NS = uuid.UUID("6f1c1f2e-5a0b-4f43-9a57-0c0ffee00000")


@dataclass(frozen=True, slots=True)
class Site:
    """A place in the site hierarchy (area/building)."""

    id: str
    name: str
    hierarchy: str
    kind: str  # "area" | "building"


@dataclass(frozen=True, slots=True)
class Device:
    """A managed network device."""

    id: str
    hostname: str
    ip: str
    serial: str
    platform: str  # platformId, e.g. C9300-48U
    family: str  # "Switches and Hubs" | "Routers" | "Wireless Controller"
    role: str  # ACCESS | DISTRIBUTION | CORE | BORDER ROUTER
    software_version: str
    site_id: str
    reachable: bool
    mac: str


def _id(name: str) -> str:
    return str(uuid.uuid5(_NS, name))


SITES: tuple[Site, ...] = (
    Site(_id("site:global/emea"), "EMEA", "Global/EMEA", "area"),
    Site(_id("site:global/emea/paris"), "Paris-HQ", "Global/EMEA/Paris-HQ", "building"),
    Site(_id("site:global/emea/london"), "London-DC", "Global/EMEA/London-DC", "building"),
    Site(_id("site:global/americas"), "Americas", "Global/Americas", "area"),
    Site(
        _id("site:global/americas/sanjose"),
        "SanJose-Campus",
        "Global/Americas/SanJose-Campus",
        "building",
    ),
)
_PARIS, _LONDON, _SJC = SITES[1].id, SITES[2].id, SITES[4].id

_SWITCH, _ROUTER, _WLC = "Switches and Hubs", "Routers", "Wireless Controller"

_SPECS: tuple[tuple[str, str, str, str, str, str, str, bool], ...] = (
    # hostname, ip, platform, family, role, version, site, reachable
    ("par-core-01", "10.10.0.1", "C9500-40X", _SWITCH, "CORE", "17.9.4", _PARIS, True),
    ("par-core-02", "10.10.0.2", "C9500-40X", _SWITCH, "CORE", "17.9.4", _PARIS, True),
    ("par-dist-01", "10.10.1.1", "C9400-SUP-1", _SWITCH, "DISTRIBUTION", "17.9.4", _PARIS, True),
    ("par-acc-01", "10.10.2.11", "C9300-48U", _SWITCH, "ACCESS", "17.9.4", _PARIS, True),
    ("par-acc-02", "10.10.2.12", "C9300-48U", _SWITCH, "ACCESS", "17.9.4", _PARIS, True),
    ("par-acc-03", "10.10.2.13", "C9200L-24P-4G", _SWITCH, "ACCESS", "17.6.5", _PARIS, False),
    ("par-rtr-01", "10.10.255.1", "ISR4451-X/K9", _ROUTER, "BORDER ROUTER", "17.6.5", _PARIS, True),
    ("par-wlc-01", "10.10.3.5", "C9800-40-K9", _WLC, "ACCESS", "17.9.4", _PARIS, True),
    ("lon-core-01", "10.20.0.1", "N9K-C93180YC-FX", _SWITCH, "CORE", "10.3(4a)", _LONDON, True),
    ("lon-dist-01", "10.20.1.1", "C9500-24Y4C", _SWITCH, "DISTRIBUTION", "17.9.4", _LONDON, True),
    ("lon-acc-01", "10.20.2.11", "C9300-24P", _SWITCH, "ACCESS", "17.9.4", _LONDON, True),
    ("lon-acc-02", "10.20.2.12", "C9300-24P", _SWITCH, "ACCESS", "17.9.4", _LONDON, True),
    ("lon-rtr-01", "10.20.255.1", "ASR1001-X", _ROUTER, "BORDER ROUTER", "17.6.5", _LONDON, True),
    ("lon-wlc-01", "10.20.3.5", "C9800-L-C-K9", _WLC, "ACCESS", "17.9.4", _LONDON, True),
    ("sjc-core-01", "10.30.0.1", "C9600-SUP-1", _SWITCH, "CORE", "17.12.2", _SJC, True),
    ("sjc-dist-01", "10.30.1.1", "C9500-48Y4C", _SWITCH, "DISTRIBUTION", "17.12.2", _SJC, True),
    ("sjc-acc-01", "10.30.2.11", "C9300-48P", _SWITCH, "ACCESS", "17.12.2", _SJC, True),
    ("sjc-acc-02", "10.30.2.12", "C9300-48P", _SWITCH, "ACCESS", "17.12.2", _SJC, False),
    ("sjc-rtr-01", "10.30.255.1", "C8300-1N1S-6T", _ROUTER, "BORDER ROUTER", "17.12.2", _SJC, True),
    ("sjc-wlc-01", "10.30.3.5", "C9800-80-K9", _WLC, "ACCESS", "17.12.2", _SJC, True),
)


def _device(index: int, spec: tuple[str, str, str, str, str, str, str, bool]) -> Device:
    hostname, ip, platform, family, role, version, site, reachable = spec
    return Device(
        id=_id(f"device:{hostname}"),
        hostname=hostname,
        ip=ip,
        serial=f"FOC{2400 + index:04d}X{index:03d}",
        platform=platform,
        family=family,
        role=role,
        software_version=version,
        site_id=site,
        reachable=reachable,
        mac=f"00:1e:bd:{index // 256:02x}:{index % 256:02x}:01",
    )


DEVICES: tuple[Device, ...] = tuple(_device(i, s) for i, s in enumerate(_SPECS, start=1))
