"""Each simulated device's interfaces, shared by the interface APIs, configs and CLI outputs."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .inventory import Device

__all__ = ["Port", "is_nxos", "ports_for"]


@dataclass(frozen=True, slots=True)
class Port:
    """One interface as the device (and its running-config) knows it."""

    name: str
    description: str
    up: bool
    admin_up: bool
    speed_kbps: int
    mode: str  # access | trunk | routed | virtual | management
    ipv4: str | None = None
    mask: str | None = None
    vlan: int | None = None

    @property
    def port_type(self) -> str:
        """Catalyst Center's portType wording."""
        if self.name.startswith(("Vlan", "Loopback")):
            return "Ethernet SVI" if self.name.startswith("Vlan") else "Loopback"
        return "Ethernet Port"


def is_nxos(device: Device) -> bool:
    """True for Nexus (NX-OS) platforms."""
    return device.platform.startswith("N9K")


def _octets(device: Device) -> tuple[int, int, int, int]:
    a, b, c, d = (int(part) for part in device.ip.split("."))
    return a, b, c, d


_G, _TG, _MASK24, _P2P = 1_000_000, 10_000_000, "255.255.255.0", "255.255.255.254"


def _switch(device: Device) -> list[Port]:
    a, b, c, d = _octets(device)
    ports = [Port("GigabitEthernet0/0", "OOB management", True, True, _G, "management",
                  device.ip, _MASK24)]  # fmt: skip
    if device.role != "ACCESS":
        for n in range(1, 5):
            ip = f"{a}.{b}.{100 + c}.{(d * 8 + n * 2) % 254}"
            ports.append(Port(f"TenGigabitEthernet1/0/{n}", f"Routed link {n}", n != 4, n != 4,
                              _TG, "routed", ip, _P2P))  # fmt: skip
        loop = f"{a}.{b}.{250 + c}.{d}"
        return [*ports, Port("Loopback0", "Router-ID", True, True, 8 * _G, "virtual", loop,
                             "255.255.255.255")]  # fmt: skip
    for n in range(1, 7):
        desc = "UNUSED - shutdown" if n == 6 else f"User access port {n}"
        up = n not in (4, 5, 6)
        ports.append(Port(f"GigabitEthernet1/0/{n}", desc, up, n != 6, _G, "access", vlan=10))
    for n in (1, 2):
        desc = f"Uplink {n} to distribution"
        ports.append(Port(f"TenGigabitEthernet1/1/{n}", desc, n == 1, True, _TG, "trunk", vlan=1))
    svi = f"{a}.{b}.99.{d}"
    return [*ports, Port("Vlan99", "Management SVI", True, True, _G, "virtual", svi, _MASK24, 99)]


def _router(device: Device) -> list[Port]:
    a, b, _, d = _octets(device)
    wan = f"198.51.100.{(b // 10) * 4 + 1}"
    return [
        Port("GigabitEthernet0/0/0", f"WAN - ISP circuit CKT-{device.serial[-6:]}", True, True,
             _G, "routed", wan, "255.255.255.252"),
        Port("GigabitEthernet0/0/1", "LAN to core", True, True, _G, "routed", f"{a}.{b}.254.1",
             "255.255.255.252"),
        Port("GigabitEthernet0/0/2", "Backup WAN (not in service)", False, False, _G, "routed"),
        Port("GigabitEthernet0", "OOB management", True, True, _G, "management",
             f"{a}.{b}.98.{d % 250}", _MASK24),
        Port("Loopback0", "Management loopback", True, True, 8 * _G, "virtual", device.ip,
             "255.255.255.255"),
    ]  # fmt: skip


def _wlc(device: Device) -> list[Port]:
    a, b, _, d = _octets(device)
    return [
        Port("GigabitEthernet0", "Service port", True, True, _G, "management",
             f"{a}.{b}.98.{d}", _MASK24),
        Port("TenGigabitEthernet0/0/0", "Trunk to distribution", True, True, _TG, "trunk",
             vlan=1),
        Port("TenGigabitEthernet0/0/1", "Trunk to distribution (standby)", False, True, _TG,
             "trunk", vlan=1),
        Port("Vlan30", "Wireless management", True, True, _G, "virtual", device.ip, _MASK24, 30),
    ]  # fmt: skip


def _nexus(device: Device) -> list[Port]:
    a, b, c, d = _octets(device)
    ports = [Port("mgmt0", "OOB management", True, True, _G, "management", device.ip, _MASK24)]
    for n in range(1, 5):
        ip = f"{a}.{b}.{100 + c}.{(d * 8 + n * 2) % 254}"
        ports.append(Port(f"Ethernet1/{n}", f"Fabric link {n}", n != 3, True, 25 * _G, "routed",
                          ip, _P2P))  # fmt: skip
    loop = f"{a}.{b}.{250 + c}.{d}"
    return [*ports, Port("loopback0", "Router-ID", True, True, 8 * _G, "virtual", loop,
                         "255.255.255.255")]  # fmt: skip


def ports_for(device: Device, reachable: bool = True) -> list[Port]:
    """The device's interfaces; an unreachable device reports every port operationally down."""
    if is_nxos(device):
        ports = _nexus(device)
    elif device.family == "Routers":
        ports = _router(device)
    elif device.family == "Wireless Controller":
        ports = _wlc(device)
    else:
        ports = _switch(device)
    if reachable:
        return ports
    return [replace(p, up=False) for p in ports]
