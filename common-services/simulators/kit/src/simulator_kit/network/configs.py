"""Realistic running-configs (IOS-XE and NX-OS) for the simulated devices, secrets included.

The configs deliberately carry every kind of secret a real one does (type 9/8/5 hashes, type 7
and plaintext keys, SNMP communities, TACACS+/RADIUS keys, IKE pre-shared keys, WLAN PSKs,
routing-protocol keys), varied per device, so the MCP server's masking is tested for real.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import secretgen as sg
from .interfaces import Port, is_nxos, ports_for
from .inventory import Device

__all__ = ["running_config"]

_REGION = {  # second octet of the management IP -> (timezone line, AAA server subnet)
    10: ("clock timezone CET 1 0", "10.10.9"),
    20: ("clock timezone GMT 0 0", "10.20.9"),
    30: ("clock timezone PST -8 0", "10.30.9"),
}


def _index(device: Device) -> int:
    return int(device.serial[-3:])


def _header(device: Device) -> list[str]:
    major = ".".join(device.software_version.split(".")[:2])
    return [
        "Building configuration...",
        "",
        f"Current configuration : {9000 + _index(device) * 137} bytes",
        "!",
        "! Last configuration change at 09:14:22 UTC Tue Mar 4 2025 by netops",
        "!",
        f"version {major}",
        "service timestamps debug datetime msec",
        "service timestamps log datetime msec",
        "service password-encryption",
        "service call-home",
        "platform punt-keepalive disable-kernel-core",
        "!",
        f"hostname {device.hostname}",
        "!",
        "vrf definition Mgmt-vrf",
        " address-family ipv4",
        " exit-address-family",
        "!",
        "logging buffered 64000 informational",
    ]


def _local_auth(device: Device) -> list[str]:
    h, i = device.hostname, _index(device)
    if device.software_version.startswith("17.6"):
        # Older images in the field still carry legacy enable/type 7 forms.
        enable = [
            f"enable secret 5 {sg.type5(h, 'enable')}",
            f"enable password 7 {sg.type7(h, 'ep')}",
        ]
    else:
        enable = [f"enable secret 9 {sg.type9(h, 'enable')}"]
    users = [f"username admin privilege 15 secret 9 {sg.type9(h, 'admin')}"]
    if i % 3 == 0:
        users.append(f"username netops privilege 15 password 7 {sg.type7(h, 'netops', 12)}")
    elif i % 3 == 1:
        users.append(f"username netops privilege 15 secret 8 {sg.type8(h, 'netops')}")
    else:
        users.append(f"username netops privilege 15 password 0 {sg.plain(h, 'netops')}")
    users.append(f"username backup-ro privilege 1 secret 9 {sg.type9(h, 'backup')}")
    return [*enable, "!", *users, "!"]


def _aaa(device: Device) -> list[str]:
    h, i = device.hostname, _index(device)
    tz, aaa_net = _REGION.get(int(device.ip.split(".")[1]), _REGION[10])
    tac_key = f"key 7 {sg.type7(h, 'tacacs', 14)}" if i % 2 else f"key 0 {sg.plain(h, 'tacacs')}"
    rad_key = f"key 7 {sg.type7(h, 'radius', 14)}" if i % 4 else f"key {sg.plain(h, 'radius')}"
    return [
        "aaa new-model",
        "!",
        "aaa group server tacacs+ ISE-TACACS",
        " server name ISE-TAC-1",
        " ip vrf forwarding Mgmt-vrf",
        "!",
        "aaa group server radius ISE-RADIUS",
        " server name ISE-RAD-1",
        "!",
        "aaa authentication login default group ISE-TACACS local",
        "aaa authorization exec default group ISE-TACACS local",
        "aaa accounting exec default start-stop group ISE-TACACS",
        "aaa authentication dot1x default group ISE-RADIUS",
        "aaa session-id common",
        tz,
        "!",
        "ip domain name corp.example.net",
        "ip name-server 10.0.0.53 10.0.1.53",
        "login on-success log",
        "!",
        "tacacs server ISE-TAC-1",
        f" address ipv4 {aaa_net}.41",
        f" {tac_key}",
        "!",
        "radius server ISE-RAD-1",
        f" address ipv4 {aaa_net}.42 auth-port 1812 acct-port 1813",
        f" {rad_key}",
        "!",
    ]


def _interface(port: Port) -> list[str]:
    lines = [f"interface {port.name}", f" description {port.description}"]
    if port.mode == "management":
        lines.append(" vrf forwarding Mgmt-vrf")
    if port.mode == "access":
        lines += [f" switchport access vlan {port.vlan}", " switchport mode access",
                  " switchport voice vlan 20", " authentication port-control auto",
                  " dot1x pae authenticator", " spanning-tree portfast"]  # fmt: skip
    elif port.mode == "trunk":
        lines.append(" switchport mode trunk")
    elif port.mode == "routed" and port.name.startswith("TenGig"):
        lines.append(" no switchport")
    if port.ipv4:
        lines.append(f" ip address {port.ipv4} {port.mask}")
    elif port.mode == "routed":
        lines.append(" no ip address")
    if not port.admin_up:
        lines.append(" shutdown")
    return [*lines, "!"]


def _routing(device: Device, ports: Sequence[Port]) -> list[str]:
    h = device.hostname
    if device.family == "Routers":
        psk1, psk2 = sg.plain(h, "isakmp"), sg.plain(h, "ikev2")
        return [
            "key chain OSPF-KEYS",
            " key 1",
            f"  key-string 7 {sg.type7(h, 'ospf-chain', 12)}",
            "!",
            "crypto isakmp policy 10",
            " encr aes 256",
            " hash sha256",
            " authentication pre-share",
            " group 14",
            f"crypto isakmp key {psk1} address 203.0.113.10",
            "!",
            "crypto ikev2 keyring DMVPN-KEYRING",
            " peer ANY",
            "  address 0.0.0.0 0.0.0.0",
            f"  pre-shared-key {psk2}",
            "!",
            "router bgp 65010",
            " bgp log-neighbor-changes",
            " neighbor 198.51.100.2 remote-as 3356",
            f" neighbor 198.51.100.2 password 7 {sg.type7(h, 'bgp', 12)}",
            "!",
        ]
    if device.role in ("CORE", "DISTRIBUTION"):
        lines = [
            "router ospf 1",
            f" router-id {ports[-1].ipv4}",
            " area 0 authentication message-digest",
        ]
        lines += [f" network {p.ipv4} 0.0.0.0 area 0" for p in ports if p.mode == "routed"]
        return [*lines, "!"]
    return ["spanning-tree mode rapid-pvst", "spanning-tree extend system-id", "!"]


def _wireless(device: Device) -> list[str]:
    if device.family != "Wireless Controller":
        return []
    h = device.hostname
    return [
        "wlan CORP-8021X 1 CORP",
        " security dot1x authentication-list ISE-DOT1X",
        " no shutdown",
        "wlan IOT-PSK 2 IOT",
        " no security wpa akm dot1x",
        " security wpa akm psk",
        f" security wpa psk set-key ascii 0 {sg.plain(h, 'wlan-psk')}",
        " no shutdown",
        "wlan GUEST 3 Guest",
        " no security wpa",
        " security web-auth",
        " no shutdown",
        "!",
    ]


def _mgmt(device: Device) -> list[str]:
    h, i = device.hostname, _index(device)
    community_ro = "public" if i == 6 else sg.words(h, "snmp-ro")  # one legacy box, as in life
    lines = [
        "ip ssh version 2",
        "ip ssh server algorithm encryption aes256-gcm aes256-ctr",
        "!",
        f"snmp-server community {community_ro} RO SNMP-ACL",
    ]
    if i % 5 == 2:
        lines.append(f"snmp-server community {sg.words(h, 'snmp-rw')} RW SNMP-ACL")
    lines += [
        f"snmp-server location {device.hostname.split('-')[0].upper()} rack {i}",
        "snmp-server contact noc@corp.example.net",
        f"snmp-server host 10.0.0.60 version 2c {community_ro}",
        "!",
        f"ntp authentication-key 1 md5 {sg.type7(h, 'ntp', 8)} 7",
        "ntp authenticate",
        "ntp trusted-key 1",
        "ntp server 10.0.0.123 key 1",
        "!",
        "line con 0",
        " exec-timeout 15 0",
        " stopbits 1",
        "line vty 0 4",
        " access-class VTY-ACL in",
        " exec-timeout 15 0",
        " transport input ssh",
        "line vty 5 15",
        " transport input ssh",
        "!",
    ]
    return lines


def _nxos(device: Device, extra: Sequence[str]) -> str:
    h = device.hostname
    admin_hash, netops_hash = (sg.type5(h, u).replace("$1$", "$5$", 1) for u in ("admin", "ops"))
    radius_key = sg.type7(h, "radius", 14)
    lines = [
        "!Command: show running-config",
        "!Running configuration last done at: Tue Mar  4 09:14:22 2025",
        "",
        f"version {device.software_version} Bios:version 05.47",
        f"hostname {h}",
        "feature tacacs+",
        "feature ospf",
        "feature interface-vlan",
        "feature lacp",
        "",
        f"username admin password 5 {admin_hash}  role network-admin",
        f"username netops password 5 {netops_hash}  role network-operator",
        f'tacacs-server key 7 "{sg.type7(h, "tacacs", 14)}"',
        f'tacacs-server host 10.20.9.41 key 7 "{sg.type7(h, "tacacs-host", 14)}"',
        "aaa group server tacacs+ ISE-TACACS",
        "    server 10.20.9.41",
        "    use-vrf management",
        f'radius-server host 10.20.9.42 key 7 "{radius_key}" authentication accounting',
        f"snmp-server community {sg.words(h, 'snmp-ro')} group network-operator",
        f"snmp-server user monitor network-operator auth sha 0x{sg.type7(h, 'v3a', 16).lower()}"
        f" priv aes-128 0x{sg.type7(h, 'v3p', 16).lower()} localizedkey",
        "ntp server 10.0.0.123 use-vrf management",
        "",
        "vrf context management",
        "  ip route 0.0.0.0/0 10.20.0.254",
        "",
    ]
    for port in ports_for(device):
        lines.append(f"interface {port.name}")
        lines.append(f"  description {port.description}")
        if port.mode == "management":
            lines.append("  vrf member management")
        elif port.mode == "routed":
            lines.append("  no switchport")
        if port.ipv4:
            bits = sum(bin(int(o)).count("1") for o in (port.mask or "255.255.255.255").split("."))
            lines.append(f"  ip address {port.ipv4}/{bits}")
        lines += ["  no shutdown" if port.admin_up else "  shutdown", ""]
    lines += ["line console", "line vty", "  exec-timeout 15", "router ospf 1",
              f"  router-id {ports_for(device)[-1].ipv4}", *extra, ""]  # fmt: skip
    return "\n".join(lines)


def running_config(device: Device, extra: Sequence[str] = ()) -> str:
    """The device's `show running-config`; `extra` holds deployed template blocks (in order)."""
    if is_nxos(device):
        return _nxos(device, extra)
    ports = ports_for(device)
    lines = [*_header(device), *_local_auth(device), *_aaa(device)]
    if device.family == "Switches and Hubs" and device.role == "ACCESS":
        lines += ["vlan 10", " name DATA", "vlan 20", " name VOICE", "vlan 99", " name MGMT", "!"]
    for port in ports:
        lines += _interface(port)
    lines += [*_routing(device, ports), *_wireless(device), *_mgmt(device)]
    for block in extra:
        lines += [*block.splitlines(), "!"]
    lines.append("end")
    return "\n".join(lines) + "\n"
