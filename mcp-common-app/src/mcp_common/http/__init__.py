"""Backend HTTP: a pooled, resilient httpx client with deadlines, retries and a circuit breaker.

The public face is what each module lists in its `__all__` (one list per module).
"""

from mcp_common.http._backend_client import *  # noqa: F403
from mcp_common.http._backend_settings import *  # noqa: F403
from mcp_common.http._circuit_breaker import *  # noqa: F403
from mcp_common.http._client import *  # noqa: F403
from mcp_common.http._retry import *  # noqa: F403
from mcp_common.http._session import *  # noqa: F403
from mcp_common.http._transport import *  # noqa: F403
