"""The simulated network: devices and sites, their interfaces, running-configs and CLI outputs.

One deterministic inventory for every simulator: Catalyst Center serves these devices,
RADKit reaches the same ones, ServiceNow's CMDB holds a CI for each (same hostname, IP and
serial) and GitHub's network-configs repository has a file per device.
"""

from __future__ import annotations

from .commands import BLACKLISTED, FAILURE, SUCCESS, run_command, uptime_text
from .configs import running_config
from .interfaces import Port, is_nxos, ports_for
from .inventory import DEVICES, SITES, Device, Site
from .secretgen import config_secrets

__all__ = [
    "BLACKLISTED",
    "DEVICES",
    "FAILURE",
    "SITES",
    "SUCCESS",
    "Device",
    "Port",
    "Site",
    "config_secrets",
    "is_nxos",
    "ports_for",
    "run_command",
    "running_config",
    "uptime_text",
]
