"""Command-runner outputs: what each simulated device answers to a CLI command.

Like a real device behind a permissive runner, configuration commands are accepted too; it is
the MCP server's job, not the simulator's, to refuse them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from .interfaces import Port, is_nxos, ports_for
from .inventory import Device

__all__ = ["BLACKLISTED", "FAILURE", "SUCCESS", "run_command", "uptime_text"]

SUCCESS, FAILURE, BLACKLISTED = "SUCCESS", "FAILURE", "BLACKLISTED"

_TRAINS = {"17.6": "Bengaluru", "17.9": "Cupertino", "17.12": "Dublin"}
_CONFIG_WORDS = frozenset((
    "interface", "no", "hostname", "username", "ip", "ipv6", "vlan", "router", "snmp-server",
    "ntp", "banner", "line", "aaa", "crypto", "end", "exit", "shutdown", "switchport",
    "description", "spanning-tree", "logging", "enable", "service",
))  # fmt: skip
_WRITE_OUTPUTS = {
    "write": "Building configuration...\n[OK]",
    "copy": "Destination filename [startup-config]? \nBuilding configuration...\n[OK]",
    "reload": "Proceed with reload? [confirm]",
    "delete": "Delete filename? [confirm]",
    "erase": "Erasing the nvram filesystem will remove all configuration files! Continue? "
    "[confirm][OK]",
    "clear": "",
}


def uptime_text(seconds: float) -> str:
    """IOS wording: `12 weeks, 3 days, 4 hours, 7 minutes`."""
    minutes = int(seconds // 60)
    weeks, rest = divmod(minutes, 7 * 24 * 60)
    days, rest = divmod(rest, 24 * 60)
    hours, mins = divmod(rest, 60)
    return f"{weeks} weeks, {days} days, {hours} hours, {mins} minutes"


def _matches(words: Sequence[str], pattern: Sequence[str]) -> int:
    """How many leading words match the pattern as IOS-style abbreviations."""
    count = 0
    for word, full in zip(words, pattern, strict=False):
        if not full.startswith(word.lower()):
            break
        count += 1
    return count


def _version_xe(device: Device, uptime: float) -> str:
    major = ".".join(device.software_version.split(".")[:2])
    padded = ".".join(f"{int(p):02d}" for p in device.software_version.split("."))
    image = {"Routers": "X86_64_LINUX_IOSD-UNIVERSALK9-M",
             "Wireless Controller": "C9800_IOSXE-K9"}.get(device.family, "CAT9K_IOSXE")  # fmt: skip
    return (
        f"Cisco IOS XE Software, Version {padded}\n"
        f"Cisco IOS Software [{_TRAINS.get(major, 'Cupertino')}], ({image}), "
        f"Version {device.software_version}, RELEASE SOFTWARE (fc5)\n"
        "Technical Support: http://www.cisco.com/techsupport\n"
        "Copyright (c) 1986-2024 by Cisco Systems, Inc.\n\n"
        f"{device.hostname} uptime is {uptime_text(uptime)}\n"
        'System image file is "flash:packages.conf"\nLast reload reason: Reload Command\n\n'
        f"cisco {device.platform} (X86) processor with 1331521K/6147K bytes of memory.\n"
        f"Processor board ID {device.serial}\n"
        f"Base Ethernet MAC Address          : {device.mac}\n"
        f"Model Number                       : {device.platform}\n"
        f"System Serial Number               : {device.serial}\n\n"
        "Configuration register is 0x102"
    )


def _version_nx(device: Device, uptime: float) -> str:
    days, rest = divmod(int(uptime), 86_400)
    return (
        "Cisco Nexus Operating System (NX-OS) Software\nTAC support: http://www.cisco.com/tac\n\n"
        f"Software\n  BIOS: version 05.47\n  NXOS: version {device.software_version} "
        "[Maintenance Release]\n  NXOS image file is: bootflash:///nxos64-cs.10.3.4a.M.bin\n\n"
        f"Hardware\n  cisco Nexus9000 {device.platform.removeprefix('N9K-')} Chassis\n"
        f"  Processor Board ID {device.serial}\n  Device name: {device.hostname}\n\n"
        f"Kernel uptime is {days} day(s), {rest // 3600} hour(s), {rest % 3600 // 60} minute(s)"
    )


def _brief(device: Device, ports: Sequence[Port]) -> str:
    if is_nxos(device):
        rows = [f"{p.name:<20} {p.ipv4:<15} protocol-{'up' if p.up else 'down'}/"
                f"link-{'up' if p.up else 'down'}/admin-{'up' if p.admin_up else 'down'}"
                for p in ports if p.ipv4 and p.mode != "management"]  # fmt: skip
        return 'IP Interface Status for VRF "default"(1)\n' + "\n".join(
            ["Interface            IP Address      Interface Status", *rows]
        )
    rows = ["Interface              IP-Address      OK? Method Status                Protocol"]
    for p in ports:
        status = "up" if p.up else ("down" if p.admin_up else "administratively down")
        method = "NVRAM" if p.ipv4 else "unset"
        rows.append(f"{p.name:<22} {p.ipv4 or 'unassigned':<15} YES {method:<6} {status:<21} "
                    f"{'up' if p.up else 'down'}")  # fmt: skip
    return "\n".join(rows)


def _inventory(device: Device) -> str:
    psu = "PWR-C1-715WAC-P" if device.family == "Switches and Hubs" else "PWR-4450-AC"
    sn = device.serial
    return (
        f'NAME: "Chassis", DESCR: "Cisco {device.platform} Chassis"\n'
        f"PID: {device.platform:<18}, VID: V02  , SN: {sn}\n\n"
        f'NAME: "Power Supply Module 0", DESCR: "{psu} AC Power Supply"\n'
        f"PID: {psu:<18}, VID: V01  , SN: ART{sn[3:]}\n\n"
        f'NAME: "Power Supply Module 1", DESCR: "{psu} AC Power Supply"\n'
        f"PID: {psu:<18}, VID: V01  , SN: ART{sn[3:-1]}9"
    )


def _ping(target: str, reachable_ips: frozenset[str]) -> str:
    parts = target.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
        return "% Unrecognized host or address, or protocol not running."
    ok = target in reachable_ips or target.startswith("10.0.")
    head = (f"Type escape sequence to abort.\nSending 5, 100-byte ICMP Echos to {target}, "
            "timeout is 2 seconds:\n")  # fmt: skip
    if ok:
        return head + "!!!!!\nSuccess rate is 100 percent (5/5), round-trip min/avg/max = 1/1/2 ms"
    return head + ".....\nSuccess rate is 0 percent (0/5)"


def _invalid(command: str, words: Sequence[str], good: int) -> str:
    offset = len(" ".join(words[:good])) + (1 if good else 0)
    return f"{command}\n{' ' * offset}^\n% Invalid input detected at '^' marker.\n"


def run_command(
    device: Device,
    command: str,
    *,
    reachable: bool,
    running_config: Callable[[], str],
    uptime: float,
    reachable_ips: frozenset[str],
) -> tuple[str, str]:
    """(bucket, text) for one command on one device, bucket being SUCCESS/FAILURE/BLACKLISTED."""
    words = command.split()
    if not words:
        return FAILURE, "% Empty command"
    if not reachable:
        return FAILURE, f"Device {device.ip} is unreachable: connection timed out"
    ports = ports_for(device)
    first = words[0].lower()
    show: dict[tuple[str, ...], Callable[[], str]] = {
        ("show", "version"): lambda: (_version_nx if is_nxos(device) else _version_xe)(
            device, uptime
        ),
        ("show", "ip", "interface", "brief"): lambda: _brief(device, ports),
        ("show", "running-config"): running_config,
        ("show", "inventory"): lambda: _inventory(device),
        ("show", "clock"): lambda: time.strftime("*%H:%M:%S.000 UTC %a %b %d %Y", time.gmtime()),
    }
    if "show".startswith(first) and len(first) >= 2:
        if len(words) >= 2 and "tech-support".startswith(words[1].lower()) and len(words[1]) > 3:
            return BLACKLISTED, "Command is blacklisted: output too large for command runner"
        best = 1
        for pattern, produce in show.items():
            good = _matches(words, pattern)
            if good == len(pattern) == len(words):
                return SUCCESS, f"{command}\n{produce()}\n\n{device.hostname}#"
            best = max(best, good)
        return FAILURE, _invalid(command, words, best)
    if "ping".startswith(first) and len(first) >= 2 and len(words) == 2:
        return SUCCESS, f"{command}\n{_ping(words[1], reachable_ips)}\n\n{device.hostname}#"
    if first in ("configure", "conf") and len(words) >= 2 and "terminal".startswith(words[1]):
        text = "Enter configuration commands, one per line.  End with CNTL/Z."
        return SUCCESS, f"{command}\n{text}\n{device.hostname}(config)#"
    if first in _WRITE_OUTPUTS:
        return SUCCESS, f"{command}\n{_WRITE_OUTPUTS[first]}\n{device.hostname}#"
    if first in _CONFIG_WORDS:
        return SUCCESS, f"{command}\n{device.hostname}(config)#"
    return FAILURE, _invalid(command, words, 0)
