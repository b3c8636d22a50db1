"""Results of the assurance tools: device and network health, issues."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from .common import Page, as_int, as_str, iso_time

__all__ = [
    "CategoryHealth",
    "DeviceHealth",
    "DeviceHealthList",
    "Issue",
    "IssueList",
    "NetworkHealth",
    "health_class",
]


def health_class(score: int | None) -> str | None:
    """Catalyst Center's reading of a 1-10 score: POOR (1-3), FAIR (4-7), GOOD (8-10)."""
    if score is None or score < 1:
        return None
    return "POOR" if score <= 3 else ("FAIR" if score <= 7 else "GOOD")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class DeviceHealth(BaseModel):
    """One device's health."""

    name: str | None = Field(description="Hostname")
    ip_address: str | None = Field(description="Management IP address")
    model: str | None = Field(description="Platform")
    role: str | None = Field(description="ACCESS, DISTRIBUTION, CORE, ROUTER, WLC")
    overall_health: int | None = Field(description="Health score from 1 (worst) to 10")
    health: str | None = Field(description="POOR (1-3), FAIR (4-7) or GOOD (8-10)")
    issue_count: int | None = Field(description="Active issues on the device")
    location: str | None = Field(description="Site hierarchy")
    site_id: str | None = Field(description="Site id")
    cpu_utilization: float | None = Field(description="CPU utilisation in percent")
    memory_utilization: float | None = Field(description="Memory utilisation in percent")
    reachability: str | None = Field(description="REACHABLE or UNREACHABLE")

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> DeviceHealth:
        """From a `device-health` record."""
        score = as_int(raw.get("overallHealth"))
        cpu = raw.get("cpuUtilization", raw.get("cpuUlitilization"))  # older releases' spelling
        return cls(
            name=as_str(raw.get("name")),
            ip_address=as_str(raw.get("ipAddress")),
            model=as_str(raw.get("model")),
            role=as_str(raw.get("deviceRole")),
            overall_health=score,
            health=health_class(score),
            issue_count=as_int(raw.get("issueCount")),
            location=as_str(raw.get("location")),
            site_id=as_str(raw.get("siteId")),
            cpu_utilization=_number(cpu),
            memory_utilization=_number(raw.get("memoryUtilization")),
            reachability=as_str(raw.get("reachabilityHealth")),
        )


class DeviceHealthList(Page):
    """A page of device health records, with how many of them are poor, fair or good."""

    poor: int = Field(description="Devices of this page in POOR health")
    fair: int = Field(description="Devices of this page in FAIR health")
    good: int = Field(description="Devices of this page in GOOD health")
    devices: list[DeviceHealth] = Field(description="The devices of this page")


class CategoryHealth(BaseModel):
    """Health of one category of devices (Access, Core, Router, Wireless...)."""

    category: str | None = Field(description="Category")
    health_score: int | None = Field(description="Percentage of healthy devices")
    total: int | None = Field(description="Devices in the category")
    good: int | None = Field(description="Devices in good health")
    fair: int | None = Field(description="Devices in fair health")
    poor: int | None = Field(description="Devices in poor health")


class NetworkHealth(BaseModel):
    """The network's overall health."""

    health_score: int | None = Field(description="Percentage of healthy devices (0-100)")
    measured_at: str | None = Field(description="When it was measured (ISO 8601 UTC)")
    total_devices: int | None = Field(description="Monitored devices")
    good: int | None = Field(description="Devices in good health")
    fair: int | None = Field(description="Devices in fair health")
    poor: int | None = Field(description="Devices in poor health")
    categories: list[CategoryHealth] = Field(description="Health per device category")

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> NetworkHealth:
        """From the `network-health` body (latest measurement)."""
        points = [p for p in raw.get("response") or [] if isinstance(p, dict)]
        latest = max(points, key=lambda p: p.get("time") or 0, default={})
        categories = [
            CategoryHealth(
                category=as_str(c.get("category")),
                health_score=as_int(c.get("healthScore")),
                total=as_int(c.get("totalCount")),
                good=as_int(c.get("goodCount")),
                fair=as_int(c.get("fairCount")),
                poor=as_int(c.get("badCount")),
            )
            # "healthDistirubution" is the real API's spelling.
            for c in raw.get("healthDistirubution") or raw.get("healthDistribution") or []
            if isinstance(c, dict)
        ]
        score = raw.get("latestHealthScore", latest.get("healthScore"))
        return cls(
            health_score=as_int(score),
            measured_at=iso_time(latest.get("time")),
            total_devices=as_int(raw.get("monitoredDevices", latest.get("totalCount"))),
            good=as_int(latest.get("goodCount")),
            fair=as_int(latest.get("fairCount")),
            poor=as_int(latest.get("badCount")),
            categories=categories,
        )


class Issue(BaseModel):
    """One assurance issue."""

    id: str | None = Field(description="Issue id")
    name: str | None = Field(description="What is wrong")
    priority: str | None = Field(description="P1 (most urgent) to P4")
    status: str | None = Field(description="active, resolved or ignored")
    category: str | None = Field(description="Availability, Connectivity, Device, ...")
    device_id: str | None = Field(description="Device id (use with get_device)")
    device_role: str | None = Field(description="Role of the device")
    site_id: str | None = Field(description="Site id")
    occurrences: int | None = Field(description="How many times it occurred")
    last_occurred_at: str | None = Field(description="Last occurrence (ISO 8601 UTC)")

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Issue:
        """From an `issues` record ("occurence" is the real API's spelling)."""
        return cls(
            id=as_str(raw.get("issueId")),
            name=as_str(raw.get("name")),
            priority=as_str(raw.get("priority")),
            status=as_str(raw.get("status")),
            category=as_str(raw.get("category")),
            device_id=as_str(raw.get("deviceId")),
            device_role=as_str(raw.get("deviceRole")),
            site_id=as_str(raw.get("siteId")),
            occurrences=as_int(raw.get("issue_occurence_count")),
            last_occurred_at=iso_time(raw.get("last_occurence_time")),
        )


class IssueList(Page):
    """A page of issues, most urgent first, with counts per priority over all matches."""

    by_priority: dict[str, int] = Field(description="Matching issues per priority (P1..P4)")
    issues: list[Issue] = Field(description="The issues of this page")
