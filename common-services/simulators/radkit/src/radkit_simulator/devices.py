"""The RADKit Service's inventory: the sandbox devices as RADKit describes them."""

from __future__ import annotations

from typing import Any

from simulator_kit.network import SITES, Device, is_nxos

__all__ = ["device_index", "device_type", "device_view"]

_SITE_NAMES = {site.id: site.name for site in SITES}


def device_index(device: Device) -> int:
    """The device's position in the inventory (1-based, from its serial)."""
    return int(device.serial[-3:])


def device_type(device: Device) -> str:
    """RADKit's device type: IOS_XE for Catalyst/ISR/ASR/C8000/C9800, NXOS for Nexus."""
    return "NXOS" if is_nxos(device) else "IOS_XE"


def device_view(device: Device) -> dict[str, Any]:
    """One inventory entry, as `GET /api/services/{id}/inventory` returns it."""
    site = _SITE_NAMES.get(device.site_id, "unknown")
    role = device.role.split()[0].lower()  # BORDER ROUTER -> border, as labels go
    return {
        "name": device.hostname,
        "host": device.ip,
        "device_type": device_type(device),
        "description": f"{device.platform} {role} ({site})",
        "labels": sorted({site.lower(), role, device.family.split()[0].lower()}),
        "attributes": {
            "serial": device.serial,
            "platform": device.platform,
            "site": site,
            "software_version": device.software_version,
            "role": device.role,
        },
    }
