"""Helpers shared by the toolsets: argument types, tool annotations, masked and cut outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import Field

from mcp_common.network import mask_and_truncate
from mcp_common.network import mask_config as mask_text

from ..backend import CommandResult, DeviceResult
from ..errors import InvalidArgument
from ..models import CommandOutput, DeviceOutputs

__all__ = [
    "DEVICE_NAME_PATTERN",
    "READ_ONLY_EXECUTE",
    "DeviceName",
    "command_output",
    "device_outputs",
    "unique",
]

DEVICE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
DeviceName = Annotated[
    str,
    Field(pattern=DEVICE_NAME_PATTERN, description="Device name as list_devices shows it"),
]
# The tools that run commands on devices: `execute` for the policy, yet they only run
# read-only commands, so they change nothing and are safe to repeat.
READ_ONLY_EXECUTE: Mapping[str, Any] = {
    "action": "execute",
    "destructive": False,
    "idempotent": True,
}


def unique(values: Sequence[str], what: str) -> list[str]:
    """The values, refused when one is given twice."""
    if len(set(values)) != len(values):
        raise InvalidArgument(f"{what} lists the same entry twice")
    return list(values)


def command_output(result: CommandResult, max_chars: int) -> CommandOutput:
    """A command's outcome for the model: masked first, then cut."""
    text, masked, cut = mask_and_truncate(result.output, max_chars)
    message = mask_text(result.message).text or None
    return CommandOutput(
        command=result.command,
        status=result.status,
        output=text,
        message=message,
        masked_secrets=masked,
        truncated=cut,
    )


def device_outputs(result: DeviceResult, max_chars: int) -> DeviceOutputs:
    """A device's outcomes for the model."""
    return DeviceOutputs(
        device=result.device,
        status=result.status,
        message=mask_text(result.message).text or None,
        results=[command_output(c, max_chars) for c in result.commands],
    )
