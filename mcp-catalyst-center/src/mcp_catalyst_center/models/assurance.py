"""Results of the assurance tools: device and network health, issues."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

from .common import Page, as_int, iso_time
from .record import ApiRecord, Integer, Text, Timestamp

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


Percent = Annotated[float | None, BeforeValidator(_number)]


# Read from `device-health` records.
class DeviceHealth(ApiRecord):
    """One device's health."""

    name: Text = Field(description="Hostname")
    ip_address: Text = Field(description="Management IP address")
    model: Text = Field(description="Platform")
    role: Text = Field(
        description="ACCESS, DISTRIBUTION, CORE, ROUTER, WLC", validation_alias="deviceRole"
    )
    overall_health: Integer = Field(description="Health score from 1 (worst) to 10")
    health: Text = Field(description="POOR (1-3), FAIR (4-7) or GOOD (8-10)")
    issue_count: Integer = Field(description="Active issues on the device")
    location: Text = Field(description="Site hierarchy")
    site_id: Text = Field(description="Site id")
    cpu_utilization: Percent = Field(description="CPU utilisation in percent")
    memory_utilization: Percent = Field(description="Memory utilisation in percent")
    reachability: Text = Field(
        description="REACHABLE or UNREACHABLE", validation_alias="reachabilityHealth"
    )

    @classmethod
    def computed(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The health class of the score, and the CPU under either spelling."""
        return {
            "health": health_class(as_int(raw.get("overallHealth"))),
            # Older releases' spelling second.
            "cpu_utilization": raw.get("cpuUtilization", raw.get("cpuUlitilization")),
        }


class DeviceHealthList(Page):
    """A page of device health records, with how many of them are poor, fair or good."""

    poor: int = Field(description="Devices of this page in POOR health")
    fair: int = Field(description="Devices of this page in FAIR health")
    good: int = Field(description="Devices of this page in GOOD health")
    devices: list[DeviceHealth] = Field(description="The devices of this page")


# Read from the entries of the `network-health` body's health distribution.
class CategoryHealth(ApiRecord):
    """Health of one category of devices (Access, Core, Router, Wireless...)."""

    category: Text = Field(description="Category")
    health_score: Integer = Field(description="Percentage of healthy devices")
    total: Integer = Field(description="Devices in the category", validation_alias="totalCount")
    good: Integer = Field(description="Devices in good health", validation_alias="goodCount")
    fair: Integer = Field(description="Devices in fair health", validation_alias="fairCount")
    poor: Integer = Field(description="Devices in poor health", validation_alias="badCount")


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
            CategoryHealth.from_api(c)
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


# Read from `issues` records ("occurence" is the real API's spelling).
class Issue(ApiRecord):
    """One assurance issue."""

    id: Text = Field(description="Issue id", validation_alias="issueId")
    name: Text = Field(description="What is wrong")
    priority: Text = Field(description="P1 (most urgent) to P4")
    status: Text = Field(description="active, resolved or ignored")
    category: Text = Field(description="Availability, Connectivity, Device, ...")
    device_id: Text = Field(description="Device id (use with get_device)")
    device_role: Text = Field(description="Role of the device")
    site_id: Text = Field(description="Site id")
    occurrences: Integer = Field(
        description="How many times it occurred", validation_alias="issue_occurence_count"
    )
    last_occurred_at: Timestamp = Field(
        description="Last occurrence (ISO 8601 UTC)", validation_alias="last_occurence_time"
    )


class IssueList(Page):
    """A page of issues, most urgent first, with counts per priority over all matches."""

    by_priority: dict[str, int] = Field(description="Matching issues per priority (P1..P4)")
    issues: list[Issue] = Field(description="The issues of this page")
