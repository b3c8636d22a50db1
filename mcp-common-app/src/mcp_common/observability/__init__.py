"""Observability: ECS JSON logging with redaction, audit events, Prometheus metrics.

The public face is what each module lists in its `__all__` (one list per module).
"""

from mcp_common.observability._logging import *  # noqa: F403
from mcp_common.observability._metrics import *  # noqa: F403
from mcp_common.observability._redaction import *  # noqa: F403
