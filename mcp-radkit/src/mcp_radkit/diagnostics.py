"""The diagnostics bundle and the parsers that summarize its outputs (IOS-XE and NX-OS)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "BUNDLE",
    "CPU_HIGH",
    "CpuLoad",
    "InterfaceCounts",
    "LogSummary",
    "VersionFacts",
    "parse_cpu",
    "parse_interfaces",
    "parse_inventory",
    "parse_logging",
    "parse_version",
]

SHOW_VERSION = "show version"
SHOW_INVENTORY = "show inventory"
SHOW_INTERFACES = "show ip interface brief"
SHOW_CPU = "show processes cpu"
SHOW_LOGGING = "show logging"
# Fixed and read-only: the tool sends exactly these (and the guard checks them anyway).
BUNDLE = (SHOW_VERSION, SHOW_INVENTORY, SHOW_INTERFACES, SHOW_CPU, SHOW_LOGGING)
CPU_HIGH = 80  # percent, five-minute average

_XE_VERSION = re.compile(r"Cisco IOS XE Software, Version (\S+)")
_NX_VERSION = re.compile(r"NXOS: version (\S+)")
_ANY_VERSION = re.compile(r"\bVersion ([\w.()-]+)")
_UPTIME = re.compile(r"(?:uptime is|Kernel uptime is) (.+)")
_MODEL = re.compile(r"Model Number\s*:\s*(\S+)|cisco Nexus\S* (\S+) Chassis")
_SERIAL = re.compile(r"System Serial Number\s*:\s*(\S+)|Processor Board ID (\S+)")
_PID = re.compile(r"PID:\s*(\S+?)\s*,.*SN:\s*(\S+)")
_XE_ROW = re.compile(
    r"^(\S+)\s+\S+\s+(?:YES|NO)\s+\S+\s+(up|down|administratively down)\s+"
    r"(up|down)\s*$"
)
_NX_ROW = re.compile(r"^(\S+)\s+\S+\s+protocol-(up|down)/link-(?:up|down)/admin-(up|down)")
_XE_CPU = re.compile(r"five seconds: (\d+)%.*one minute: (\d+)%.*five minutes: (\d+)%")
_NX_CPU = re.compile(r"CPU util\s*:\s*([\d.]+)% user,\s*([\d.]+)% kernel")
_SYSLOG = re.compile(r"%[A-Z0-9_]+-([0-7])-[A-Z0-9_]+:")


@dataclass(frozen=True, slots=True)
class VersionFacts:
    """What `show version` says about the device."""

    software_version: str | None = None
    uptime: str | None = None
    model: str | None = None
    serial: str | None = None


@dataclass(frozen=True, slots=True)
class InterfaceCounts:
    """Interfaces from `show ip interface brief`."""

    total: int
    up: int
    admin_down: int
    down: list[str] = field(default_factory=list)  # enabled but not up: worth a look


@dataclass(frozen=True, slots=True)
class CpuLoad:
    """CPU utilisation in percent."""

    five_seconds: int | None
    one_minute: int | None
    five_minutes: int | None


@dataclass(frozen=True, slots=True)
class LogSummary:
    """Syslog messages in the buffer, by weight."""

    errors: int  # severities 0-3
    warnings: int  # severity 4
    recent_errors: list[str] = field(default_factory=list)


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    if match is None:
        return None
    return next((g for g in match.groups() if g), None)


def parse_version(text: str) -> VersionFacts:
    """Software version, uptime, model and serial (XE or NX-OS wording)."""
    version = _first(_XE_VERSION, text) or _first(_NX_VERSION, text) or _first(_ANY_VERSION, text)
    uptime = _first(_UPTIME, text)
    return VersionFacts(
        version, uptime.strip() if uptime else None, _first(_MODEL, text), _first(_SERIAL, text)
    )


def parse_inventory(text: str) -> list[tuple[str, str]]:
    """(PID, serial) of each module."""
    return [(m.group(1), m.group(2)) for m in _PID.finditer(text)]


def parse_interfaces(text: str) -> InterfaceCounts | None:
    """Counts of up / administratively down / down interfaces; None if no row was read."""
    total = up = admin_down = 0
    down: list[str] = []
    for line in text.splitlines():
        xe, nx = _XE_ROW.match(line), _NX_ROW.match(line)
        if xe:
            name, status, protocol = xe.groups()
            enabled, is_up = status != "administratively down", protocol == "up"
        elif nx:
            name, protocol, admin = nx.groups()
            enabled, is_up = admin == "up", protocol == "up"
        else:
            continue
        total += 1
        up += is_up
        admin_down += not enabled
        if enabled and not is_up:
            down.append(name)
    return InterfaceCounts(total, up, admin_down, down) if total else None


def parse_cpu(text: str) -> CpuLoad | None:
    """Five-second, one- and five-minute load (NX-OS gives only the current load)."""
    xe = _XE_CPU.search(text)
    if xe:
        five_sec, one_min, five_min = (int(g) for g in xe.groups())
        return CpuLoad(five_sec, one_min, five_min)
    nx = _NX_CPU.search(text)
    if nx:
        return CpuLoad(round(float(nx.group(1)) + float(nx.group(2))), None, None)
    return None


def parse_logging(text: str, keep: int = 5) -> LogSummary | None:
    """Errors and warnings in the log buffer, and the last `keep` error lines."""
    errors: list[str] = []
    warnings = 0
    seen = False
    for line in text.splitlines():
        match = _SYSLOG.search(line)
        if not match:
            continue
        seen = True
        severity = int(match.group(1))
        if severity <= 3:
            errors.append(line.strip()[:300])
        elif severity == 4:
            warnings += 1
    return LogSummary(len(errors), warnings, errors[-keep:]) if seen else None
