"""Authorization: the Authorizer contract, embedded Rego and remote OPA engines, decision cache.

The public face is what each module lists in its `__all__` (one list per module).
"""

from mcp_common.policy._authorizer import *  # noqa: F403
from mcp_common.policy._opa import *  # noqa: F403
from mcp_common.policy._rego import *  # noqa: F403
