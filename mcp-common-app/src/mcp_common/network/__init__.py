"""Network-device helpers: the read-only CLI guard, device-config masking, command outputs."""

from mcp_common.network._cli_guard import (
    ALLOWED_FILTERS,
    ALLOWED_VERBS,
    MAX_COMMAND_LENGTH,
    CommandRefused,
    check_command,
)
from mcp_common.network._command_outputs import (
    MIN_OUTPUT_BUDGET,
    CommandList,
    mask_and_truncate,
    per_output_budget,
    truncate,
)
from mcp_common.network._config_masking import MASK, MaskedText, mask_config, mask_line

__all__ = [
    "ALLOWED_FILTERS",
    "ALLOWED_VERBS",
    "MASK",
    "MAX_COMMAND_LENGTH",
    "MIN_OUTPUT_BUDGET",
    "CommandList",
    "CommandRefused",
    "MaskedText",
    "check_command",
    "mask_and_truncate",
    "mask_config",
    "mask_line",
    "per_output_budget",
    "truncate",
]
