"""The files of the seeded repositories: one configuration template per inventory device."""

from __future__ import annotations

import hashlib

from simulator_kit.network import DEVICES, SITES, Device

__all__ = ["AUTOMATION_FILES", "network_configs_files"]

_SITES = {s.id: s.hierarchy for s in SITES}


def _device_template(device: Device) -> bytes:
    site = _SITES.get(device.site_id, "Global")
    return f"""! {device.hostname} - {device.platform} ({device.role}) - {site}
! Rendered by the deployment pipeline; variables in {{{{ }}}} come from the vault.
hostname {device.hostname}
!
interface Loopback0
 description Management loopback
 ip address {device.ip} 255.255.255.255
!
ntp server {{{{ ntp_primary }}}} prefer
ntp server {{{{ ntp_secondary }}}}
clock timezone {{{{ timezone }}}} 0 0
!
snmp-server community {{{{ snmp_ro_community }}}} RO
enable secret {{{{ enable_secret }}}}
!
logging host 10.0.0.50
end
""".encode()


def network_configs_files() -> dict[str, bytes]:
    files = {f"devices/{d.hostname}.cfg.j2": _device_template(d) for d in DEVICES}
    files["README.md"] = (
        b"# network-configs\n\nConfiguration templates for every managed device, one file per "
        b"hostname under `devices/`.\nShared snippets live in `templates/`. Changes go through "
        b"pull requests: `main` is protected.\n"
    )
    files["templates/ntp.j2"] = (
        b"ntp server {{ ntp_primary }} prefer\nntp server {{ ntp_secondary }}\n"
        b"clock timezone {{ timezone }} 0 0\n"
    )
    files["templates/snmp.j2"] = b"snmp-server community {{ snmp_ro_community }} RO\n"
    hosts = "".join(
        f"  {d.hostname}:\n    ip: {d.ip}\n    platform: {d.platform}\n" for d in DEVICES
    )
    files["inventory/hosts.yaml"] = f"all:\n  hosts:\n{hosts}".encode()
    # A binary file (refused by text readers) and a large one (size caps).
    digest = hashlib.sha256(b"topology").digest()
    files["docs/topology.png"] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + digest * 16
    rows = [
        f"{d.hostname},GigabitEthernet1/0/{p},up,1000,{d.site_id[:8]}"
        for p in range(1, 49)
        for d in DEVICES
    ]
    files["reports/interface-audit.csv"] = (
        "hostname,interface,status,speed,site\n" + "\n".join(rows) + "\n"
    ).encode()
    return files


AUTOMATION_FILES: dict[str, bytes] = {
    "README.md": b"# automation-scripts\n\nBackups and reachability checks.\n",
    "requirements.txt": b"httpx==0.27.2\nnetmiko==4.4.0\n",
    "scripts/backup_configs.py": (
        b'"""Back up running configs."""\n\n\ndef main() -> None:\n    print("backing up")\n'
    ),
    "scripts/check_reachability.py": b'"""Ping every device."""\n\nTIMEOUT = 2\n',
    ".github/workflows/ci.yml": b"name: ci\non: [push]\njobs: {}\n",
}
