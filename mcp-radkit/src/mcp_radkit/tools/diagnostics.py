"""The diagnostics toolset: a fixed bundle of show commands, summarized per device (execute)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict
from typing import Annotated

from pydantic import Field

from mcp_common import Toolset
from mcp_common.network import check_command, per_output_budget
from mcp_common.network import mask_config as mask_text
from mcp_common.tasks import report_progress

from ..backend import DeviceResult
from ..client import RadkitClient
from ..diagnostics import (
    BUNDLE,
    CPU_HIGH,
    SHOW_CPU,
    SHOW_INTERFACES,
    SHOW_INVENTORY,
    SHOW_LOGGING,
    SHOW_VERSION,
    parse_cpu,
    parse_interfaces,
    parse_inventory,
    parse_logging,
    parse_version,
)
from ..errors import DeviceNotFound
from ..models import CpuLoad, DeviceDiagnostics, DiagnosticsReport, InterfaceSummary
from .common import READ_ONLY_EXECUTE, DeviceName, command_output, unique

__all__ = ["diagnostics_tools"]


def diagnostics_tools(client: RadkitClient, *, max_output_chars: int = 60_000) -> Toolset:
    """collect_diagnostics."""
    ts = Toolset("diagnostics", "Health summaries from a fixed bundle of show commands")
    bundle = [check_command(c) for c in BUNDLE]  # read-only by construction; checked anyway

    @ts.tool(
        **READ_ONLY_EXECUTE,
        title="Collect device diagnostics",
        description=(
            f"Run a fixed bundle of read-only commands ({', '.join(bundle)}) on devices "
            "through RADKit and summarize each device: software version, uptime, model and "
            "serial, interface counts and the enabled interfaces that are down, CPU load, "
            "error-level log messages, and findings worth attention. Raw outputs (secrets "
            "masked) only with include_outputs=true. Can run as an MCP task "
            "(io.modelcontextprotocol/tasks): the call then answers at once and tasks/get "
            "shows which devices (and how many commands) are done and, in the end, this report."
        ),
    )
    async def collect_diagnostics(
        devices: Annotated[
            list[DeviceName],
            Field(min_length=1, max_length=10, description="Device names, at most 10"),
        ],
        device_timeout: Annotated[
            int, Field(ge=1, le=300, description="Seconds each device has to answer")
        ] = 60,
        include_outputs: Annotated[
            bool, Field(description="Also return the raw outputs (large; secrets masked)")
        ] = False,
    ) -> DiagnosticsReport:
        """Collect and summarize the diagnostics bundle on each device."""
        names = unique(devices, "devices")
        results = await _collect(client, names, bundle, float(device_timeout))
        budget = per_output_budget(max_output_chars, len(names) * len(bundle))
        found = [_summarize(d, budget if include_outputs else None) for d in results]
        return DiagnosticsReport(
            bundle=bundle, devices=found, findings=sum(len(d.findings) for d in found)
        )

    return ts


async def _collect(
    client: RadkitClient, names: Sequence[str], bundle: Sequence[str], device_timeout: float
) -> list[DeviceResult]:
    """The bundle on each device, one request per device at once, progress as each ends.

    Unknown devices are named together (as one request would); any other error is raised.
    """
    total, done = len(names), 0
    await report_progress(0, total, f"0/{total} devices collected (0/{total * len(bundle)} "
                          f"commands): running {len(bundle)} commands on each")  # fmt: skip

    async def one(name: str) -> DeviceResult:
        nonlocal done
        [result] = (await client.exec([name], bundle, device_timeout)).devices
        done += 1
        answered = sum(1 for c in result.commands if c.status != "TIMEOUT")
        await report_progress(
            done,
            total,
            f"{done}/{total} devices collected ({done * len(bundle)}/{total * len(bundle)} "
            f"commands): {name} {result.status} ({answered}/{len(bundle)} commands answered)",
        )
        return result

    outcomes = await asyncio.gather(*(one(n) for n in names), return_exceptions=True)
    unknown = [n for o in outcomes if isinstance(o, DeviceNotFound) for n in o.names]
    if unknown:
        raise DeviceNotFound(unknown)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return [o for o in outcomes if isinstance(o, DeviceResult)]


def _summarize(result: DeviceResult, budget: int | None) -> DeviceDiagnostics:
    """One device's summary; a command that failed leaves its fields null."""
    ok = {c.command: c.output for c in result.commands if c.status == "SUCCESS"}
    version = parse_version(ok.get(SHOW_VERSION, ""))
    modules = parse_inventory(ok[SHOW_INVENTORY]) if SHOW_INVENTORY in ok else None
    ports = parse_interfaces(ok.get(SHOW_INTERFACES, ""))
    cpu = parse_cpu(ok.get(SHOW_CPU, ""))
    logs = parse_logging(ok.get(SHOW_LOGGING, ""))
    findings: list[str] = []
    if result.status == "TIMEOUT":
        findings.append(f"the device did not answer: {mask_text(result.message).text}")
    failed = [c.command for c in result.commands if c.status == "FAILURE"]
    if failed:
        findings.append(f"commands failed: {', '.join(failed)}")
    if ports and ports.down:
        findings.append(f"{len(ports.down)} enabled interface(s) down: {', '.join(ports.down)}")
    load = (
        None
        if cpu is None
        else (cpu.five_minutes if cpu.five_minutes is not None else cpu.five_seconds)
    )
    if load is not None and load >= CPU_HIGH:
        findings.append(f"high CPU load: {load}% (threshold {CPU_HIGH}%)")
    if logs and logs.errors:
        findings.append(f"{logs.errors} error-level message(s) in the log buffer")
    # The parsers' facts carry the report's field names: copied over as they are.
    return DeviceDiagnostics(
        device=result.device,
        status=result.status,
        **asdict(version),
        modules=len(modules) if modules is not None else None,
        interfaces=InterfaceSummary.model_validate(ports, from_attributes=True) if ports else None,
        cpu=CpuLoad.model_validate(cpu, from_attributes=True) if cpu else None,
        log_errors=logs.errors if logs else None,
        log_warnings=logs.warnings if logs else None,
        recent_errors=[mask_text(line).text for line in logs.recent_errors] if logs else [],
        findings=findings,
        outputs=[command_output(c, budget) for c in result.commands] if budget else None,
    )
