"""Results of the inventory tools: devices, interfaces, configurations and sites."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import AliasChoices, BaseModel, Field

from .common import Page
from .record import ApiRecord, Integer, Key, Text

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


# Read from `network-device` records.
class DeviceSummary(ApiRecord):
    """One network device, in brief."""

    id: Key = Field(
        description="Device id (UUID): pass it to the other device tools",
        validation_alias=AliasChoices("id", "instanceUuid"),
    )
    hostname: Text = Field(description="Hostname")
    management_ip: Text = Field(
        description="Management IP address", validation_alias="managementIpAddress"
    )
    platform: Text = Field(
        description="Platform id (model), e.g. C9300-48U", validation_alias="platformId"
    )
    family: Text = Field(description="Family: Switches and Hubs, Routers, ...")
    role: Text = Field(description="Role: ACCESS, DISTRIBUTION, CORE, BORDER ROUTER")
    software_version: Text = Field(description="Software version")
    reachability: Text = Field(
        description="Reachable or Unreachable", validation_alias="reachabilityStatus"
    )


# Read from a `network-device/{id}` record.
class DeviceDetail(DeviceSummary):
    """One network device, in full."""

    serial_number: Text = Field(description="Serial number")
    type: Text = Field(description="Device type, e.g. Cisco Catalyst 9300 Switch")
    series: Text = Field(description="Product series")
    software_type: Text = Field(description="IOS-XE, NX-OS, ...")
    mac_address: Text = Field(description="Base MAC address")
    uptime: Text = Field(
        description="Uptime as Catalyst Center reports it", validation_alias="upTime"
    )
    last_updated: Text = Field(description="When inventory last synchronised the device")
    collection_status: Text = Field(description="Inventory collection status")
    reachability_failure_reason: Text = Field(description="Why it is unreachable, if so")
    interface_count: Integer = Field(description="Number of interfaces")
    description: Text = Field(description="System description")


class DeviceList(Page):
    """A page of devices matching the filters."""

    devices: list[DeviceSummary] = Field(description="The devices of this page")


# Read from `interface/network-device/{id}` records.
class Interface(ApiRecord):
    """One interface of a device."""

    id: Text = Field(description="Interface id (UUID)")
    name: Text = Field(
        description="Port name, e.g. GigabitEthernet1/0/1", validation_alias="portName"
    )
    description: Text = Field(description="Configured description")
    status: Text = Field(description="Operational status: up or down")
    admin_status: Text = Field(description="Administrative status: UP or DOWN")
    port_mode: Text = Field(description="access, trunk, routed, ...")
    vlan_id: Text = Field(description="Access VLAN")
    ipv4_address: Text = Field(description="IPv4 address, if any")
    ipv4_mask: Text = Field(description="IPv4 mask, if any")
    speed_kbps: Integer = Field(description="Speed in kbit/s", validation_alias="speed")
    mac_address: Text = Field(description="MAC address")


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


# Read from `/sites` records (or older `/site` ones).
class Site(ApiRecord):
    """One site of the hierarchy (area, building, floor)."""

    id: Key = Field(description="Site id (UUID)")
    name: Text = Field(description="Site name")
    hierarchy: Text = Field(
        description="Full name, e.g. Global/EMEA/Paris-HQ",
        validation_alias=AliasChoices("nameHierarchy", "siteNameHierarchy"),
    )
    type: Text = Field(description="global, area, building or floor")
    parent_id: Text = Field(description="Parent site id")

    @classmethod
    def computed(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The type, which older releases keep in `additionalInfo`."""
        kind = raw.get("type")
        if kind is None:
            for info in raw.get("additionalInfo") or []:
                if isinstance(info, dict):
                    kind = (info.get("attributes") or {}).get("type") or kind
        return {"type": kind}


class SiteList(Page):
    """A page of sites."""

    sites: list[Site] = Field(description="The sites of this page")
