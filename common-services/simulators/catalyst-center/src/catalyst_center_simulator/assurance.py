"""Assurance views: device health, network health and issues, derived from live device state."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from simulator_kit.network import DEVICES, Device

from .devices import device_type
from .sites import site_by_id

__all__ = ["device_health", "health_class", "issues", "network_health", "role_category"]

_NS = uuid.UUID("9e2f6c1a-7d3b-4a58-b0c4-3c0ffee00003")
_FAMILY = {"Switches and Hubs": "SWITCHES_AND_HUBS", "Routers": "ROUTERS",
           "Wireless Controller": "WIRELESS_CONTROLLER"}  # fmt: skip

# (hostname, priority, status, category, name, occurrences, minutes ago)
_STATIC_ISSUES: tuple[tuple[str, str, str, str, str, int, int], ...] = (
    ("par-acc-02", "P2", "active", "Device", "Device experiencing high CPU utilization", 14, 12),
    ("lon-rtr-01", "P2", "active", "Connectivity",
     "BGP session to 198.51.100.2 on lon-rtr-01 is flapping", 6, 35),
    ("sjc-wlc-01", "P3", "active", "Availability",
     "Access point(s) disconnected from Wireless Controller sjc-wlc-01", 3, 90),
    ("par-core-02", "P3", "resolved", "Device", "Power supply 1 failure on par-core-02", 1, 2880),
    ("lon-acc-01", "P4", "resolved", "Connectivity",
     "High input errors on interface TenGigabitEthernet1/1/2", 22, 600),
    ("sjc-acc-01", "P4", "ignored", "Device", "Fan tray degraded on sjc-acc-01", 2, 4320),
)  # fmt: skip
_HOT = {"par-acc-02": 87.0, "lon-rtr-01": 64.0}


def role_category(device: Device) -> str:
    """The device-health deviceRole / network-health category of a device."""
    if device.family == "Wireless Controller":
        return "WLC"
    return "ROUTER" if device.family == "Routers" else device.role


def health_class(score: int) -> str:
    """POOR (1-3), FAIR (4-7) or GOOD (8-10), as the `health` filter reads scores."""
    return "POOR" if score <= 3 else ("FAIR" if score <= 7 else "GOOD")


def _metrics(device: Device) -> tuple[float, float]:
    seed = int(uuid.UUID(device.id)) % 1000
    return _HOT.get(device.hostname, 5.0 + seed % 28), 31.0 + seed % 33


def _component(value: float) -> int:
    return 10 if value < 70 else (6 if value < 90 else 3)


def device_health(device: Device, *, reachable: bool, active_issues: int) -> dict[str, Any]:
    """One entry of `GET /dna/intent/api/v1/device-health`."""
    cpu, memory = _metrics(device)
    link = 4 if device.hostname == "lon-rtr-01" else 10
    overall = min(_component(cpu), _component(memory), link) if reachable else 1
    site = site_by_id(device.site_id)
    kind, _ = device_type(device)
    return {
        "name": device.hostname,
        "model": device.platform,
        "osVersion": device.software_version,
        "ipAddress": device.ip,
        "overallHealth": overall,
        "issueCount": active_issues,
        "location": site.name_hierarchy if site else None,
        "siteId": device.site_id,
        "deviceFamily": _FAMILY.get(device.family, device.family.upper()),
        "deviceType": kind,
        "deviceRole": role_category(device),
        "macAddress": device.mac,
        "interfaceLinkErrHealth": link,
        "cpuUtilization": cpu if reachable else None,
        "cpuUlitilization": cpu if reachable else None,  # sic: older releases spell it so
        "cpuHealth": _component(cpu) if reachable else None,
        "memoryUtilizationHealth": _component(memory) if reachable else None,
        "memoryUtilization": memory if reachable else None,
        "interDeviceLinkAvailHealth": 10 if reachable else 1,
        "reachabilityHealth": "REACHABLE" if reachable else "UNREACHABLE",
    }


def issues(reachability: Mapping[str, bool], now_ms: int) -> list[dict[str, Any]]:
    """Assurance issues: one P1 per unreachable device plus a fixed set of others."""
    by_host = {d.hostname: d for d in DEVICES}
    rows: list[tuple[Device, str, str, str, str, int, int]] = [
        (d, "P1", "active", "Availability",
         f"Network Device {d.ip} Is Unreachable From Controller", 5, 20)
        for d in DEVICES if not reachability.get(d.id, d.reachable)
    ]  # fmt: skip
    rows += [(by_host[h], p, s, c, n, k, m) for h, p, s, c, n, k, m in _STATIC_ISSUES]
    out = []
    for device, priority, status, category, name, count, minutes in rows:
        out.append({
            "issueId": str(uuid.uuid5(_NS, f"{device.id}/{name}")),
            "name": name,
            "siteId": device.site_id,
            "deviceId": device.id,
            "deviceRole": device.role,
            "aiDriven": False,
            "clientMac": None,
            "issue_occurence_count": count,
            "status": status,
            "priority": priority,
            "category": category,
            "last_occurence_time": now_ms - minutes * 60_000,
        })  # fmt: skip
    return out


_CATEGORIES = {"ACCESS": "Access", "DISTRIBUTION": "Distribution", "CORE": "Core",
               "ROUTER": "Router", "WLC": "Wireless"}  # fmt: skip


def _counts(scores: Sequence[int]) -> dict[str, int]:
    good = sum(1 for s in scores if s >= 8)
    fair = sum(1 for s in scores if 4 <= s <= 7)
    bad = sum(1 for s in scores if 1 <= s <= 3)
    total = len(scores)
    return {"totalCount": total, "goodCount": good, "fairCount": fair, "badCount": bad,
            "unmonCount": 0, "healthScore": round(100 * good / total) if total else 0}  # fmt: skip


def network_health(healths: Sequence[dict[str, Any]], now_ms: int) -> dict[str, Any]:
    """The body of `GET /dna/intent/api/v1/network-health` (latest score and its breakdown)."""
    overall = _counts([h["overallHealth"] for h in healths])
    distribution = []
    for role, category in _CATEGORIES.items():
        counts = _counts([h["overallHealth"] for h in healths if h["deviceRole"] == role])
        total = counts["totalCount"] or 1
        distribution.append({
            "category": category, **counts,
            "goodPercentage": round(100 * counts["goodCount"] / total, 1),
            "fairPercentage": round(100 * counts["fairCount"] / total, 1),
            "badPercentage": round(100 * counts["badCount"] / total, 1),
            "unmonPercentage": 0.0, "kpiMetrics": [],
        })  # fmt: skip
    return {
        "version": "1.0",
        "response": [{"time": now_ms, "timeinMillis": now_ms, "entity": None, **overall}],
        "measuredBy": "global",
        "latestMeasuredByEntity": None,
        "latestHealthScore": overall["healthScore"],
        "monitoredDevices": overall["totalCount"],
        "monitoredHealthyDevices": overall["goodCount"],
        "monitoredPoorHealthDevices": overall["badCount"],
        "monitoredFairHealthDevices": overall["fairCount"],
        "noHealthDevices": 0,
        "healthDistirubution": distribution,  # sic: the real API's spelling
    }
