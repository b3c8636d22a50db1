"""The interface API's view of a device's ports (`GET /dna/intent/api/v1/interface/...`)."""

from __future__ import annotations

import uuid
from typing import Any

from simulator_kit.network import Device, Port

__all__ = ["interface_view"]

_NS = uuid.UUID("0b9a3d52-6c1e-4f0e-9d7c-1c0ffee00001")


def _mac(device: Device, index: int) -> str:
    base = device.mac.rsplit(":", 1)[0]
    return f"{base}:{(index * 4 + 0x40) % 256:02x}"


def interface_view(device: Device, port: Port, index: int, last_updated: str) -> dict[str, Any]:
    """One entry of `GET /dna/intent/api/v1/interface/network-device/{deviceId}`."""
    iface_id = str(uuid.uuid5(_NS, f"{device.id}/{port.name}"))
    physical = port.port_type == "Ethernet Port"
    return {
        "adminStatus": "UP" if port.admin_up else "DOWN",
        "className": "EthernetProtocolEndpoint" if physical else "VLANInterface",
        "description": port.description,
        "deviceId": device.id,
        "duplex": "FullDuplex" if physical and port.up else None,
        "id": iface_id,
        "ifIndex": str(index + 1),
        "instanceTenantId": "5f1b0c2a9d8e7f0012ab34cd",
        "instanceUuid": iface_id,
        "interfaceType": "Physical" if physical else "Virtual",
        "ipv4Address": port.ipv4,
        "ipv4Mask": port.mask,
        "isisSupport": "false",
        "lastUpdated": last_updated,
        "macAddress": _mac(device, index),
        "mappedPhysicalInterfaceId": None,
        "mappedPhysicalInterfaceName": None,
        "mediaType": "10/100/1000BaseTX" if port.speed_kbps == 1_000_000 else None,
        "nativeVlanId": "1" if port.mode == "trunk" else None,
        "ospfSupport": "true" if port.mode == "routed" else "false",
        "pid": device.platform,
        "portMode": port.mode,
        "portName": port.name,
        "portType": port.port_type,
        "serialNo": device.serial,
        "series": None,
        "speed": str(port.speed_kbps),
        "status": "up" if port.up else "down",
        "vlanId": str(port.vlan) if port.vlan is not None else None,
        "voiceVlan": "20" if port.mode == "access" else None,
    }
