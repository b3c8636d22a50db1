"""Network-device helpers: the read-only CLI guard, device-config masking, command outputs.

The public face is what each module lists in its `__all__` (one list per module).
"""

from mcp_common.network._cli_guard import *  # noqa: F403
from mcp_common.network._command_outputs import *  # noqa: F403
from mcp_common.network._config_masking import *  # noqa: F403
