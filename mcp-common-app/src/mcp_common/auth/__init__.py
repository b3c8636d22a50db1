"""Authentication: OIDC token verification (JWTs, opaque tokens), the Principal, token exchange.

The public face is what each module lists in its `__all__` (one list per module).
"""

from mcp_common.auth._fastmcp import *  # noqa: F403
from mcp_common.auth._introspection import *  # noqa: F403
from mcp_common.auth._jwks import *  # noqa: F403
from mcp_common.auth._principal import *  # noqa: F403
from mcp_common.auth._token_exchange import *  # noqa: F403
from mcp_common.auth._verifier import *  # noqa: F403
