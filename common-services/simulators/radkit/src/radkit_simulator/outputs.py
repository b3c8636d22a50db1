"""Outputs the shared network kit has no generator for: `show processes cpu`, `show logging`.

Deterministic per device; two devices run hot so that diagnostics have something to find,
and the log buffer carries a logged configuration command with its secret, as real
`archive log config` buffers do.
"""

from __future__ import annotations

import re

from simulator_kit.network import Device, is_nxos, ports_for

from .devices import device_index

__all__ = ["BUSY_DEVICES", "processes_cpu", "show_logging"]

BUSY_DEVICES = frozenset({"par-core-02", "lon-rtr-01"})
_PROCESSES = (
    "Chunk Manager",
    "Load Meter",
    "IOSD ipc task",
    "SNMP ENGINE",
    "IP Input",
    "OSPF-1 Hello",
    "BGP Router",
    "SSH Process",
    "HTTP CORE",
    "Net Background",
)
_COMMUNITY = re.compile(r"^snmp-server community (\S+)", re.MULTILINE)


def _load(device: Device) -> tuple[int, int, int]:
    i = device_index(device)
    if device.hostname in BUSY_DEVICES:
        return 91 - i % 5, 87 - i % 4, 84 - i % 3
    return 2 + i * 7 % 9, 3 + i * 5 % 7, 3 + i * 3 % 6


def processes_cpu(device: Device) -> str:
    """`show processes cpu` (IOS-XE layout, or NX-OS's CPU util summary)."""
    five_sec, one_min, five_min = _load(device)
    i = device_index(device)
    if is_nxos(device):
        rows = [
            f"{100 + n * 37:<6} {n * 913 + i:>11}  {n * 211:>8}  {n * 3 + 1:>5}  "
            f"{(n * i) % 3}.0%   {name}"
            for n, name in enumerate(_PROCESSES[:6], 1)
        ]
        user = five_sec * 0.7
        return "\n".join(
            [
                "PID    Runtime(ms)  Invoked   uSecs  1Sec    Process",
                "-----  -----------  --------  -----  ------  -----------",
                *rows,
                "",
                f"CPU util  :   {user:5.2f}% user,   {five_sec - user:5.2f}% kernel,   "
                f"{100 - five_sec:5.2f}% idle",
            ]
        )
    head = (
        f"CPU utilization for five seconds: {five_sec}%/{five_sec // 4}%; "
        f"one minute: {one_min}%; five minutes: {five_min}%"
    )
    rows = [" PID Runtime(ms)     Invoked      uSecs   5Sec   1Min   5Min TTY Process"]
    for n, name in enumerate(_PROCESSES, 1):
        share = five_sec * 0.8 if n == 4 and device.hostname in BUSY_DEVICES else (n * i) % 7 / 10
        rows.append(
            f"{n * 13:>4} {n * 4211 + i:>11} {n * 977:>11} {n * 7 + 3:>10} "
            f"{share:5.2f}% {share:5.2f}% {share:5.2f}%   0 {name}"
        )
    return "\n".join([head, *rows])


def show_logging(device: Device, running_config: str) -> str:
    """`show logging`: the buffer holds config changes, a link failure, logins, CPU hogs."""
    found = _COMMUNITY.search(running_config)
    community = found.group(1) if found else "public"
    down = next((p.name for p in ports_for(device) if p.admin_up and not p.up), None)
    h = device.hostname
    if is_nxos(device):
        lines = [
            "Logging console:                enabled (Severity: critical)",
            "Logging monitor:                enabled (Severity: notifications)",
            "Logging server:                 enabled",
            "{10.0.0.50}",
            "        server severity:        notifications",
            "Logging logfile:                enabled",
            "        Name - messages: Severity - notifications Size - 4194304",
            "",
            f"2025 Mar  4 09:14:22 {h} %VSHD-5-VSHD_SYSLOG_CONFIG_I: Configured from vty by "
            "netops on 10.0.0.15@pts/0",
            f"2025 Mar  4 09:14:23 {h} %ACLLOG-5-CMDLOG: netops: snmp-server community "
            f"{community} group network-operator",
        ]
        if down:
            lines.append(
                f"2025 Mar  4 11:40:03 {h} %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface "
                f"{down} is down (Link failure)"
            )
        return "\n".join(lines)
    lines = [
        "Syslog logging: enabled (0 messages dropped, 2 messages rate-limited, 0 flushes, "
        "0 overruns, xml disabled, filtering disabled)",
        "",
        "    Console logging: disabled",
        "    Buffer logging:  level informational, 211 messages logged, xml disabled,",
        "                    filtering disabled",
        "    Trap logging: level informational, 215 message lines logged",
        "        Logging to 10.0.0.50  (udp port 514, audit disabled,",
        "              link up),",
        "",
        "Log Buffer (64000 bytes):",
        "",
        "*Mar  4 09:14:22.311: %SYS-5-CONFIG_I: Configured from console by netops on vty0 "
        "(10.0.0.15)",
        "*Mar  4 09:14:22.519: %PARSER-5-CFGLOG_LOGGEDCMD: User:netops  logged command:"
        f"snmp-server community {community} RO SNMP-ACL",
    ]
    if down:
        lines += [
            f"*Mar  4 11:40:03.102: %LINK-3-UPDOWN: Interface {down}, changed state to down",
            f"*Mar  4 11:40:04.102: %LINEPROTO-5-UPDOWN: Line protocol on Interface {down}, "
            "changed state to down",
        ]
    lines.append(
        "*Mar  4 12:01:17.880: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: netops] "
        "[Source: 10.0.0.15] [localport: 22] at 12:01:17 UTC Tue Mar 4 2025"
    )
    if h in BUSY_DEVICES:
        lines.append(
            "*Mar  4 12:30:00.004: %SYS-3-CPUHOG: Task is running for (2004)msecs, "
            "more than (2000)msecs (0/0),process = SNMP ENGINE."
        )
    return "\n".join(lines)
