"""The command toolset: read-only CLI commands and reachability checks on devices (execute)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mcp_common import Toolset
from mcp_common.network import (
    ALLOWED_FILTERS,
    ALLOWED_VERBS,
    CommandList,
    check_command,
    per_output_budget,
)
from mcp_common.network import mask_config as mask_text

from ..client import RadkitClient
from ..models import DeviceReachability, ExecReport, ReachabilityReport
from .common import READ_ONLY_EXECUTE, DeviceName, device_outputs, unique

__all__ = ["MAX_REACHABILITY_DEVICES", "command_tools"]

MAX_REACHABILITY_DEVICES = 100


def command_tools(client: RadkitClient, *, max_output_chars: int = 60_000) -> Toolset:
    """exec_commands (allow-listed) and check_reachability."""
    ts = Toolset("commands", "Read-only CLI commands and reachability through RADKit")
    verbs = ", ".join(sorted(ALLOWED_VERBS))
    filters = "|".join(sorted(ALLOWED_FILTERS))

    @ts.tool(
        **READ_ONLY_EXECUTE,
        title="Run read-only CLI commands",
        description=(
            "Run read-only CLI commands on devices through RADKit (an audited terminal "
            "session per device) and return each output, secrets masked. Only commands "
            f"starting with {verbs} (in full, no abbreviations) are accepted, optionally "
            f"followed by '| {filters} <pattern>'; anything else, ';' and line breaks are "
            "refused before anything is sent. A device that does not answer within "
            "`device_timeout` seconds is reported as TIMEOUT."
        ),
    )
    async def exec_commands(
        devices: Annotated[
            list[DeviceName],
            Field(min_length=1, max_length=20, description="Device names, at most 20"),
        ],
        commands: CommandList,
        device_timeout: Annotated[
            int, Field(ge=1, le=300, description="Seconds each device has to answer")
        ] = 30,
    ) -> ExecReport:
        """Run read-only commands on devices (allow-listed; see the description)."""
        checked = unique([check_command(c) for c in commands], "commands")  # before any call
        names = unique(devices, "devices")
        result = await client.exec(names, checked, float(device_timeout))
        budget = per_output_budget(max_output_chars, len(names) * len(checked))
        outcomes = [device_outputs(d, budget) for d in result.devices]
        runs = [r.status for d in outcomes for r in d.results]
        return ExecReport(
            request_id=result.request_id,
            succeeded=runs.count("SUCCESS"),
            failed=runs.count("FAILURE"),
            timed_out=runs.count("TIMEOUT"),
            devices=outcomes,
        )

    @ts.tool(
        **READ_ONLY_EXECUTE,
        title="Check device reachability",
        description=(
            "Check that the RADKit Service answers and which devices answer through it: each "
            "device gets the harmless probe 'show clock' and counts as reachable when its "
            "terminal answers within `device_timeout` seconds. Without `devices`, every "
            f"device of the inventory is checked (at most {MAX_REACHABILITY_DEVICES})."
        ),
    )
    async def check_reachability(
        devices: Annotated[
            list[DeviceName] | None,
            Field(
                min_length=1,
                max_length=MAX_REACHABILITY_DEVICES,
                description="Device names; omit to check the whole inventory",
            ),
        ] = None,
        device_timeout: Annotated[
            int, Field(ge=1, le=60, description="Seconds each device has to answer")
        ] = 10,
    ) -> ReachabilityReport:
        """Ping the RADKit Service, then probe each device's terminal."""
        names = unique(devices, "devices") if devices is not None else None
        service = await client.ping()
        if names is None:
            names = sorted(d.name for d in await client.inventory())[:MAX_REACHABILITY_DEVICES]
        found = await client.reachability(names, float(device_timeout)) if names else []
        rows = [
            DeviceReachability(
                device=r.device,
                reachable=r.reachable,
                status=r.status,
                detail=None if r.reachable else (mask_text(r.message).text or "no answer"),
            )
            for r in found
        ]
        return ReachabilityReport(
            service_id=service.service_id,
            service_status=service.status,
            service_version=service.version,
            checked=len(rows),
            reachable=sum(1 for r in rows if r.reachable),
            unreachable=[r.device for r in rows if not r.reachable],
            devices=rows,
        )

    return ts
