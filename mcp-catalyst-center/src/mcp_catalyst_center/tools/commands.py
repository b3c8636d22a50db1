"""The command runner tool: read-only CLI commands on devices, outputs masked."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import Field

from mcp_common import Toolset, UpstreamError
from mcp_common.network import (
    ALLOWED_VERBS,
    CommandList,
    check_command,
    mask_and_truncate,
    per_output_budget,
)
from mcp_common.tasks import report_backend_job, report_progress

from ..client import CatalystCenterClient
from ..errors import BACKEND, InvalidArgument
from ..models.operations import CommandOutput, CommandRunResult, DeviceCommandOutputs
from .common import DeviceId

__all__ = ["command_tools"]

_FILE_ID = re.compile(r'"fileId"\s*:\s*"([A-Za-z0-9._-]+)"')
_BUCKETS = ("SUCCESS", "FAILURE", "BLACKLISTED")


def command_tools(client: CatalystCenterClient, *, max_output_chars: int = 60_000) -> Toolset:
    """The command runner, restricted to read-only commands."""
    ts = Toolset("commands", "Read-only CLI commands through the command runner")
    verbs = ", ".join(sorted(ALLOWED_VERBS))

    @ts.tool(
        action="execute",
        title="Run read-only CLI commands",
        destructive=False,
        description=(
            "Run read-only CLI commands on devices through Catalyst Center's command runner "
            f"and return each output (secrets masked). Only commands starting with {verbs} "
            "(in full, no abbreviations) are accepted, optionally followed by "
            "'| include|exclude|begin|section|count <pattern>'; anything else, ';' and line "
            "breaks are refused before anything is sent. Can run as an MCP task "
            "(io.modelcontextprotocol/tasks): the call then answers at once and tasks/get "
            "shows progress and, in the end, this result; tasks/cancel stops waiting."
        ),
    )
    async def run_show_commands(
        device_ids: Annotated[
            list[DeviceId],
            Field(min_length=1, max_length=20, description="Device ids (UUIDs), at most 20"),
        ],
        commands: CommandList,
    ) -> CommandRunResult:
        """Run read-only commands on devices (allow-listed; see the description)."""
        checked = [check_command(c) for c in commands]  # before anything reaches a device
        if len(set(device_ids)) != len(device_ids):
            raise InvalidArgument("device_ids lists a device twice")
        if len(set(checked)) != len(checked):
            raise InvalidArgument("commands lists a command twice")
        total = len(device_ids)
        task_id = await client.run_read_commands(checked, device_ids)
        await report_backend_job(
            f"Catalyst Center task {task_id}", hint=f"see get_task(task_id='{task_id}')"
        )

        async def task_progress(task: dict[str, Any]) -> None:
            step = str(task.get("progress") or "running")[:200]
            await report_progress(
                0,
                total,
                f"0/{total} devices done: Catalyst Center task {task_id} runs "
                f"{len(checked)} command(s): {step}",
            )

        task = await client.wait_for_task(task_id, on_poll=task_progress)
        await report_progress(total, total, f"{total}/{total} devices done: reading the outputs")
        content = await client.file_records(_file_id(task))
        per_output = per_output_budget(max_output_chars, len(device_ids) * len(checked))
        devices = [_device_outputs(r, checked, per_output) for r in content]
        runs = [o for d in devices for o in d.results]
        ok = sum(1 for o in runs if o.status == "SUCCESS")
        return CommandRunResult(task_id=task_id, succeeded=ok, failed=len(runs) - ok,
                                devices=devices)  # fmt: skip

    return ts


def _file_id(task: dict[str, Any]) -> str:
    """The result file named by a finished command-runner task (progress is a JSON string)."""
    for text in (task.get("progress"), task.get("data")):
        if not isinstance(text, str):
            continue
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict) and isinstance(value.get("fileId"), str):
            return str(value["fileId"])
        match = _FILE_ID.search(text)
        if match:
            return match.group(1)
    raise UpstreamError("the command-runner task finished without a result file", backend=BACKEND)


def _device_outputs(
    record: dict[str, Any], commands: list[str], max_chars: int
) -> DeviceCommandOutputs:
    responses = record.get("commandResponses") or {}
    results = []
    for command in commands:
        status, text = "FAILURE", "no output returned for this command"
        for bucket in _BUCKETS:
            outputs = responses.get(bucket) if isinstance(responses, dict) else None
            if isinstance(outputs, dict) and command in outputs:
                status, text = bucket, str(outputs[command])
                break
        output, masked, cut = mask_and_truncate(text, max_chars)
        results.append(CommandOutput(command=command, status=status, output=output,
                                     masked_secrets=masked, truncated=cut))  # fmt: skip
    return DeviceCommandOutputs(device_id=str(record.get("deviceUuid") or ""), results=results)
