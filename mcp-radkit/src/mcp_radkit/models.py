"""Pydantic results of the RADKit tools (descriptions an LLM can act on)."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, Field

from .backend import DeviceInfo

__all__ = [
    "CommandOutput",
    "CpuLoad",
    "DeviceDetail",
    "DeviceDiagnostics",
    "DeviceList",
    "DeviceOutputs",
    "DeviceReachability",
    "DeviceSummary",
    "DiagnosticsReport",
    "ExecReport",
    "InterfaceSummary",
    "ReachabilityReport",
]


class DeviceSummary(BaseModel):
    """One device, in a list."""

    name: str = Field(description="Device name in the RADKit inventory (use it in other tools)")
    host: str = Field(description="Management address")
    device_type: str = Field(description="RADKit device type, e.g. IOS_XE or NXOS")
    description: str = Field(description="Free text from the inventory")

    @classmethod
    def of(cls, info: DeviceInfo) -> Self:
        """From a backend's device: its attributes of the same names (subclasses' too)."""
        return cls.model_validate(info, from_attributes=True)


class DeviceList(BaseModel):
    """A page of the inventory."""

    total: int = Field(description="How many devices match the filters in all")
    offset: int = Field(description="1-based position of the first device of this page")
    count: int = Field(description="How many devices this page holds")
    next_offset: int | None = Field(description="Pass as `offset` for the next page; null if last")
    devices: list[DeviceSummary] = Field(description="The devices of this page, by name")


class DeviceDetail(DeviceSummary):
    """One device with everything the inventory knows."""

    labels: list[str] = Field(description="Inventory labels (site, role...)")
    attributes: dict[str, str] = Field(description="Other attributes (serial, platform, site...)")


class CommandOutput(BaseModel):
    """One command's outcome on one device."""

    command: str = Field(description="The command as sent")
    status: str = Field(description="SUCCESS, FAILURE (rejected or failed) or TIMEOUT")
    output: str = Field(description="What the terminal showed (secrets masked)")
    message: str | None = Field(description="Why it failed or timed out, when it did")
    masked_secrets: int = Field(description="How many secrets were masked in the output")
    truncated: bool = Field(description="True when the output was cut at the size limit")


class DeviceOutputs(BaseModel):
    """Every command's outcome on one device."""

    device: str = Field(description="Device name")
    status: str = Field(description="SUCCESS, FAILURE (some command failed) or TIMEOUT")
    message: str | None = Field(description="Why the device failed or timed out, when it did")
    results: list[CommandOutput] = Field(description="One entry per command, in order")


class ExecReport(BaseModel):
    """The outcome of an exec request."""

    request_id: str | None = Field(description="RADKit request id (for the audit trail)")
    succeeded: int = Field(description="Command runs that succeeded")
    failed: int = Field(description="Command runs that failed")
    timed_out: int = Field(description="Command runs on devices that did not answer in time")
    devices: list[DeviceOutputs] = Field(description="Outcomes per device, in order")


class DeviceReachability(BaseModel):
    """Whether one device answered."""

    device: str = Field(description="Device name")
    reachable: bool = Field(description="True when its terminal answered within the timeout")
    status: str = Field(description="SUCCESS, FAILURE or TIMEOUT of the probe")
    detail: str | None = Field(description="Why it is unreachable, when it is")


class ReachabilityReport(BaseModel):
    """The RADKit Service's state and each device's reachability."""

    service_id: str = Field(description="RADKit Service serial")
    service_status: str = Field(description="The service's status, READY when it answers")
    service_version: str = Field(description="RADKit Service version")
    checked: int = Field(description="How many devices were probed")
    reachable: int = Field(description="How many answered")
    unreachable: list[str] = Field(description="Names of the devices that did not answer")
    devices: list[DeviceReachability] = Field(description="Per device, in order")


class InterfaceSummary(BaseModel):
    """Interfaces from `show ip interface brief`."""

    total: int = Field(description="Interfaces listed")
    up: int = Field(description="Interfaces up (protocol up)")
    admin_down: int = Field(description="Interfaces shut down on purpose")
    down: list[str] = Field(description="Enabled interfaces that are down: worth a look")


class CpuLoad(BaseModel):
    """CPU utilisation in percent (null when the platform does not say)."""

    five_seconds: int | None = Field(description="Last five seconds")
    one_minute: int | None = Field(description="One-minute average")
    five_minutes: int | None = Field(description="Five-minute average")


class DeviceDiagnostics(BaseModel):
    """A device's state, summarized from the diagnostics bundle."""

    device: str = Field(description="Device name")
    status: str = Field(description="SUCCESS, FAILURE (some command failed) or TIMEOUT")
    software_version: str | None = Field(description="Running software version")
    uptime: str | None = Field(description="Uptime as the device words it")
    model: str | None = Field(description="Chassis model")
    serial: str | None = Field(description="Chassis serial number")
    modules: int | None = Field(description="Hardware modules in `show inventory`")
    interfaces: InterfaceSummary | None = Field(description="Interface counts")
    cpu: CpuLoad | None = Field(description="CPU load")
    log_errors: int | None = Field(description="Error-level (0-3) messages in the log buffer")
    log_warnings: int | None = Field(description="Warning-level (4) messages in the log buffer")
    recent_errors: list[str] = Field(description="Last error-level log lines (secrets masked)")
    findings: list[str] = Field(description="What deserves attention, in plain words")
    outputs: list[CommandOutput] | None = Field(
        description="Raw outputs (secrets masked), only when include_outputs was true"
    )


class DiagnosticsReport(BaseModel):
    """Diagnostics of one or more devices."""

    bundle: list[str] = Field(description="The show commands run on every device")
    devices: list[DeviceDiagnostics] = Field(description="Per device, in order")
    findings: int = Field(description="Findings over all devices (0: nothing stands out)")
