"""The RadkitBackend contract and its result types; implementations are one file each.

`SdkBackend` (sdk_backend.py) drives the real RADKit client SDK; `HttpBackend`
(http_backend.py) talks to the sandbox's RADKit simulator. Both answer in these types, so
the tools never see which one runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

__all__ = [
    "PROBE_COMMAND",
    "CommandResult",
    "DeviceInfo",
    "DeviceResult",
    "ExecResult",
    "ExecStatus",
    "RadkitBackend",
    "Reachability",
    "ServiceInfo",
    "exec_status",
    "reachability_from",
]

ExecStatus = Literal["SUCCESS", "FAILURE", "TIMEOUT"]
# What a reachability check runs: harmless, short, answered by every IOS/IOS-XE/NX-OS device.
PROBE_COMMAND = "show clock"


def exec_status(value: object) -> ExecStatus:
    """SUCCESS/FAILURE/TIMEOUT from a backend's status (an enum or a string); else FAILURE."""
    text = str(getattr(value, "value", value) or "").upper()
    if text == "SUCCESS":
        return "SUCCESS"
    return "TIMEOUT" if text in ("TIMEOUT", "TIMED_OUT") else "FAILURE"


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """The RADKit Service answered a ping."""

    service_id: str
    status: str
    version: str = ""
    inventory_size: int | None = None


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """One device of the service's inventory."""

    name: str
    host: str
    device_type: str
    description: str = ""
    labels: tuple[str, ...] = ()
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CommandResult:
    """One command's outcome on one device (the raw output: not masked yet)."""

    command: str
    status: ExecStatus
    output: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class DeviceResult:
    """Every command's outcome on one device, in the order sent."""

    device: str
    status: ExecStatus
    message: str
    commands: tuple[CommandResult, ...]


@dataclass(frozen=True, slots=True)
class ExecResult:
    """A completed exec request: one entry per device, in the order sent."""

    request_id: str | None
    devices: tuple[DeviceResult, ...]


@dataclass(frozen=True, slots=True)
class Reachability:
    """Whether a terminal session to the device answered within the timeout."""

    device: str
    reachable: bool
    status: ExecStatus
    message: str = ""


def reachability_from(result: ExecResult) -> list[Reachability]:
    """Reachability from a probe exec: a device whose session answered is reachable."""
    found = []
    for device in result.devices:
        # A FAILURE status still means the device answered (e.g. it rejected the probe).
        answered = device.status != "TIMEOUT" and any(
            c.status != "TIMEOUT" and c.output for c in device.commands
        )
        found.append(Reachability(device.device, answered, device.status, device.message))
    return found


@runtime_checkable
class RadkitBackend(Protocol):
    """Remote, audited access to the devices of one RADKit Service.

    Implementations subclass it explicitly and so inherit `reachability`, made of `exec`.
    """

    async def ping(self) -> ServiceInfo:
        """Check that the service answers (raise UpstreamError when it does not)."""
        ...

    async def inventory(self) -> list[DeviceInfo]:
        """Every device of the service's inventory."""
        ...

    async def device(self, name: str) -> DeviceInfo:
        """One device by name; DeviceNotFound when the inventory has none of that name."""
        ...

    async def exec(
        self, devices: Sequence[str], commands: Sequence[str], device_timeout: float
    ) -> ExecResult:
        """Run commands on devices and wait for the outcome (`device_timeout` s per device)."""
        ...

    async def reachability(
        self, devices: Sequence[str], device_timeout: float
    ) -> list[Reachability]:
        """Whether each device's terminal answers within `device_timeout` s (a probe on each)."""
        return reachability_from(await self.exec(devices, [PROBE_COMMAND], device_timeout))

    async def aclose(self) -> None:
        """Release connections and sessions."""
        ...
