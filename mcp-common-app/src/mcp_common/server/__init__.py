"""The server chassis: server and tool declarations, the middleware chain, transport guards.

The public face is what each module lists in its `__all__` (one list per module).
"""

from mcp_common.server._admission import *  # noqa: F403
from mcp_common.server._asgi import *  # noqa: F403
from mcp_common.server._authorization_middleware import *  # noqa: F403
from mcp_common.server._cache_middleware import *  # noqa: F403
from mcp_common.server._components import *  # noqa: F403
from mcp_common.server._declaration import *  # noqa: F403
from mcp_common.server._error_middleware import *  # noqa: F403
from mcp_common.server._factory import *  # noqa: F403
from mcp_common.server._listener import *  # noqa: F403
from mcp_common.server._observability_middleware import *  # noqa: F403
from mcp_common.server._rate_limit import *  # noqa: F403
from mcp_common.server._rate_limit_middleware import *  # noqa: F403
from mcp_common.server._read_cache import *  # noqa: F403
from mcp_common.server._runtime import *  # noqa: F403
from mcp_common.server._tool_call import *  # noqa: F403
from mcp_common.server._tool_errors import *  # noqa: F403
from mcp_common.server._toolset import *  # noqa: F403
from mcp_common.server._workers import *  # noqa: F403
