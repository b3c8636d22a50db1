"""A lean MCP client for the platform's own servers (used by the REST proxy and the worker).

The public face is what each module lists in its `__all__` (one list per module).
"""

from mcp_common.client._client import *  # noqa: F403
