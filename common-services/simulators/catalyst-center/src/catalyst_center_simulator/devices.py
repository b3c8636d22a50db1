"""The `network-device` resource: Catalyst Center's JSON view of a device, and its filters."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from simulator_kit.network import Device, is_nxos, ports_for

from .responses import ApiError

__all__ = ["FILTERS", "TENANT_ID", "device_type", "filter_devices", "network_device", "up_time"]

TENANT_ID = "5f1b0c2a9d8e7f0012ab34cd"

_TYPES: tuple[tuple[str, str, str], ...] = (
    ("C9200", "Cisco Catalyst 9200L Switch Stack", "Cisco Catalyst 9200 Series Switches"),
    ("C9300", "Cisco Catalyst 9300 Switch", "Cisco Catalyst 9300 Series Switches"),
    ("C9400", "Cisco Catalyst 9400 Switch", "Cisco Catalyst 9400 Series Switches"),
    ("C9500", "Cisco Catalyst 9500 Switch", "Cisco Catalyst 9500 Series Switches"),
    ("C9600", "Cisco Catalyst 9600 Switch", "Cisco Catalyst 9600 Series Switches"),
    ("C9800", "Cisco Catalyst 9800 Wireless Controller", "Cisco Catalyst 9800 Series Wireless "
     "Controllers"),
    ("ISR4", "Cisco 4451 Integrated Services Router", "Cisco 4400 Series Integrated Services "
     "Routers"),
    ("ASR1", "Cisco ASR 1001-X Router", "Cisco ASR 1000 Series Aggregation Services Routers"),
    ("C8300", "Cisco Catalyst 8300 Edge Platform", "Cisco Catalyst 8300 Series Edge Platform"),
    ("N9K", "Cisco Nexus 93180YC-FX Switch", "Cisco Nexus 9000 Series Switches"),
)  # fmt: skip

# Query parameters GET /network-device filters on (each may repeat), and the field each reads.
FILTERS: Mapping[str, str] = {
    name: name
    for name in (
        "hostname", "managementIpAddress", "macAddress", "serialNumber", "family", "type",
        "series", "softwareVersion", "softwareType", "platformId", "role", "reachabilityStatus",
        "collectionStatus",
    )
}  # fmt: skip


def device_type(device: Device) -> tuple[str, str]:
    """(type, series) as Catalyst Center names them."""
    for prefix, kind, series in _TYPES:
        if device.platform.startswith(prefix):
            return kind, series
    return f"Cisco {device.platform}", "Cisco Devices"


def up_time(seconds: float) -> str:
    """Catalyst Center's upTime wording: `35 days, 4:43:16.25`."""
    days, rest = divmod(int(seconds), 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days} days, {hours}:{minutes:02d}:{secs:02d}.{int(seconds * 100) % 100:02d}"


def _stamp(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def network_device(
    device: Device, *, reachable: bool, boot_epoch: float, now: float
) -> dict[str, Any]:
    """One device as `GET /dna/intent/api/v1/network-device` returns it."""
    kind, series = device_type(device)
    synced = now - 1800 - int(device.serial[-3:]) * 61
    failure = "" if reachable else "SNMP Connectivity Failed"
    return {
        "apManagerInterfaceIp": "",
        "associatedWlcIp": "",
        "bootDateTime": _stamp(boot_epoch),
        "collectionInterval": "Global Default",
        "collectionStatus": "Managed" if reachable else "Could Not Synchronize",
        "description": f"Cisco {'NX-OS' if is_nxos(device) else 'IOS-XE'} Software, "
        f"{device.platform}, Version {device.software_version}",
        "deviceSupportLevel": "Supported",
        "dnsResolvedManagementAddress": device.ip,
        "errorCode": None if reachable else "DEV-UNREACHED",
        "errorDescription": None
        if reachable
        else "SNMP timeouts are occurring with this device. Either the SNMP credentials are not "
        "correctly provided to Catalyst Center or the device is responding slow.",
        "family": device.family,
        "hostname": device.hostname,
        "id": device.id,
        "instanceTenantId": TENANT_ID,
        "instanceUuid": device.id,
        "interfaceCount": str(len(ports_for(device))),
        "inventoryStatusDetail": '<status><general code="SUCCESS"/></status>'
        if reachable
        else '<status><general code="DEV_UNREACHED"/></status>',
        "lastUpdateTime": int(synced * 1000),
        "lastUpdated": _stamp(synced),
        "lineCardCount": "0",
        "lineCardId": "",
        "location": None,
        "locationName": None,
        "macAddress": device.mac,
        "managementIpAddress": device.ip,
        "managementState": "Managed",
        "memorySize": "NA",
        "pendingSyncRequestsCount": "0",
        "platformId": device.platform,
        "reachabilityFailureReason": failure,
        "reachabilityStatus": "Reachable" if reachable else "Unreachable",
        "role": device.role,
        "roleSource": "AUTO",
        "serialNumber": device.serial,
        "series": series,
        "snmpContact": "noc@corp.example.net",
        "snmpLocation": device.hostname.split("-")[0].upper(),
        "softwareType": "NX-OS" if is_nxos(device) else "IOS-XE",
        "softwareVersion": device.software_version,
        "tagCount": "0",
        "tunnelUdpPort": None,
        "type": kind,
        "upTime": up_time(now - boot_epoch),
        "uptimeSeconds": int(now - boot_epoch),
        "vendor": "Cisco",
        "waasDeviceMode": None,
    }


def _matcher(pattern: str) -> re.Pattern[str]:
    # Catalyst Center accepts regex-like wildcards (`.*`); a bare `*` is read the same way.
    regex = pattern if ".*" in pattern else re.escape(pattern).replace(r"\*", ".*")
    try:
        return re.compile(regex, re.IGNORECASE)
    except re.error:
        raise ApiError(400, f"Invalid filter pattern: {pattern!r}") from None


def filter_devices(
    views: Iterable[dict[str, Any]], params: Mapping[str, Sequence[str]]
) -> list[dict[str, Any]]:
    """Keep the views matching every given filter (values of one filter are OR-ed)."""
    out = list(views)
    ids = [i for raw in params.get("id", ()) for i in raw.split(",") if i]
    if ids:
        out = [v for v in out if v["id"] in ids]
    for name, field in FILTERS.items():
        values = [v for v in params.get(name, ()) if v != ""]
        if not values:
            continue
        matchers = [_matcher(v) for v in values]
        out = [v for v in out if any(m.fullmatch(str(v[field] or "")) for m in matchers)]
    return out
