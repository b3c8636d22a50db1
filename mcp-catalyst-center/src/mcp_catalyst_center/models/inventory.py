"""Results of the inventory tools: devices, interfaces, configurations and sites."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from .common import Page, as_int, as_str

__all__ = [
    "DeviceConfig",
    "DeviceDetail",
    "DeviceInterfaces",
    "DeviceList",
    "DeviceSummary",
    "Interface",
    "Site",
    "SiteList",
]


class DeviceSummary(BaseModel):
    """One network device, in brief."""

    id: str = Field(description="Device id (UUID): pass it to the other device tools")
    hostname: str | None = Field(description="Hostname")
    management_ip: str | None = Field(description="Management IP address")
    platform: str | None = Field(description="Platform id (model), e.g. C9300-48U")
    family: str | None = Field(description="Family: Switches and Hubs, Routers, ...")
    role: str | None = Field(description="Role: ACCESS, DISTRIBUTION, CORE, BORDER ROUTER")
    software_version: str | None = Field(description="Software version")
    reachability: str | None = Field(description="Reachable or Unreachable")

    @classmethod
    def fields_from(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The summary's fields from a `network-device` record."""
        return {
            "id": str(raw.get("id") or raw.get("instanceUuid") or ""),
            "hostname": as_str(raw.get("hostname")),
            "management_ip": as_str(raw.get("managementIpAddress")),
            "platform": as_str(raw.get("platformId")),
            "family": as_str(raw.get("family")),
            "role": as_str(raw.get("role")),
            "software_version": as_str(raw.get("softwareVersion")),
            "reachability": as_str(raw.get("reachabilityStatus")),
        }

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> DeviceSummary:
        """From a `network-device` record."""
        return cls(**cls.fields_from(raw))


class DeviceDetail(DeviceSummary):
    """One network device, in full."""

    serial_number: str | None = Field(description="Serial number")
    type: str | None = Field(description="Device type, e.g. Cisco Catalyst 9300 Switch")
    series: str | None = Field(description="Product series")
    software_type: str | None = Field(description="IOS-XE, NX-OS, ...")
    mac_address: str | None = Field(description="Base MAC address")
    uptime: str | None = Field(description="Uptime as Catalyst Center reports it")
    last_updated: str | None = Field(description="When inventory last synchronised the device")
    collection_status: str | None = Field(description="Inventory collection status")
    reachability_failure_reason: str | None = Field(description="Why it is unreachable, if so")
    interface_count: int | None = Field(description="Number of interfaces")
    description: str | None = Field(description="System description")

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> DeviceDetail:
        """From a `network-device/{id}` record."""
        return cls(
            **DeviceSummary.fields_from(raw),
            serial_number=as_str(raw.get("serialNumber")),
            type=as_str(raw.get("type")),
            series=as_str(raw.get("series")),
            software_type=as_str(raw.get("softwareType")),
            mac_address=as_str(raw.get("macAddress")),
            uptime=as_str(raw.get("upTime")),
            last_updated=as_str(raw.get("lastUpdated")),
            collection_status=as_str(raw.get("collectionStatus")),
            reachability_failure_reason=as_str(raw.get("reachabilityFailureReason")),
            interface_count=as_int(raw.get("interfaceCount")),
            description=as_str(raw.get("description")),
        )


class DeviceList(Page):
    """A page of devices matching the filters."""

    devices: list[DeviceSummary] = Field(description="The devices of this page")


class Interface(BaseModel):
    """One interface of a device."""

    id: str | None = Field(description="Interface id (UUID)")
    name: str | None = Field(description="Port name, e.g. GigabitEthernet1/0/1")
    description: str | None = Field(description="Configured description")
    status: str | None = Field(description="Operational status: up or down")
    admin_status: str | None = Field(description="Administrative status: UP or DOWN")
    port_mode: str | None = Field(description="access, trunk, routed, ...")
    vlan_id: str | None = Field(description="Access VLAN")
    ipv4_address: str | None = Field(description="IPv4 address, if any")
    ipv4_mask: str | None = Field(description="IPv4 mask, if any")
    speed_kbps: int | None = Field(description="Speed in kbit/s")
    mac_address: str | None = Field(description="MAC address")

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Interface:
        """From an `interface/network-device/{id}` record."""
        return cls(
            id=as_str(raw.get("id")),
            name=as_str(raw.get("portName")),
            description=as_str(raw.get("description")),
            status=as_str(raw.get("status")),
            admin_status=as_str(raw.get("adminStatus")),
            port_mode=as_str(raw.get("portMode")),
            vlan_id=as_str(raw.get("vlanId")),
            ipv4_address=as_str(raw.get("ipv4Address")),
            ipv4_mask=as_str(raw.get("ipv4Mask")),
            speed_kbps=as_int(raw.get("speed")),
            mac_address=as_str(raw.get("macAddress")),
        )


class DeviceInterfaces(BaseModel):
    """A device's interfaces with up/down counts."""

    device_id: str = Field(description="The device's id")
    total: int = Field(description="Interfaces on the device")
    up: int = Field(description="Interfaces operationally up")
    down: int = Field(description="Interfaces operationally down")
    count: int = Field(description="Interfaces returned (after the status filter)")
    interfaces: list[Interface] = Field(description="The interfaces")


class DeviceConfig(BaseModel):
    """A device's running configuration, with every secret masked."""

    device_id: str = Field(description="The device's id")
    lines: int = Field(description="Lines in the whole configuration")
    masked_secrets: int = Field(description="How many passwords, keys and communities were masked")
    truncated: bool = Field(description="True when the text was cut at the size limit")
    config: str = Field(description="The configuration text (secrets shown as <masked>)")


class Site(BaseModel):
    """One site of the hierarchy (area, building, floor)."""

    id: str = Field(description="Site id (UUID)")
    name: str | None = Field(description="Site name")
    hierarchy: str | None = Field(description="Full name, e.g. Global/EMEA/Paris-HQ")
    type: str | None = Field(description="global, area, building or floor")
    parent_id: str | None = Field(description="Parent site id")

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Site:
        """From a `/sites` record (or an older `/site` one)."""
        kind = raw.get("type")
        if kind is None:
            for info in raw.get("additionalInfo") or []:
                if isinstance(info, dict):
                    kind = (info.get("attributes") or {}).get("type") or kind
        return cls(
            id=str(raw.get("id") or ""),
            name=as_str(raw.get("name")),
            hierarchy=as_str(raw.get("nameHierarchy") or raw.get("siteNameHierarchy")),
            type=as_str(kind),
            parent_id=as_str(raw.get("parentId")),
        )


class SiteList(Page):
    """A page of sites."""

    sites: list[Site] = Field(description="The sites of this page")
