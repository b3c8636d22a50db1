"""CLI command arguments and outputs for the model: the command list, masking, size limits."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mcp_common.network._config_masking import mask_config

__all__ = ["MIN_OUTPUT_BUDGET", "CommandList", "mask_and_truncate", "per_output_budget", "truncate"]

MIN_OUTPUT_BUDGET = 2_000

CommandList = Annotated[
    list[str],
    Field(
        min_length=1,
        max_length=10,
        description="Commands, one per entry, e.g. 'show version', 'show ip interface "
        "brief', 'show running-config | section interface'",
    ),
]
"""The `commands` argument of a device command tool (each entry still goes to check_command)."""


def truncate(text: str, max_chars: int) -> tuple[str, bool]:
    """The text cut to `max_chars`, and whether it was cut."""
    if len(text) <= max_chars:
        return text, False
    return text[:max_chars] + "\n... [truncated]", True


def per_output_budget(max_output_chars: int, outputs: int) -> int:
    """Characters each output may use so that one call stays within the limit."""
    return max(MIN_OUTPUT_BUDGET, max_output_chars // max(1, outputs))


def mask_and_truncate(text: str, max_chars: int) -> tuple[str, int, bool]:
    """A CLI output for the model: secrets masked first, then cut; (text, masked, cut)."""
    masked = mask_config(text)
    output, cut = truncate(masked.text, max_chars)
    return output, masked.masked, cut
