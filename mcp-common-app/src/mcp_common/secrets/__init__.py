"""Secrets: the SecretStore contract, HashiCorp Vault / OpenBao (KV v2) and file stores.

The public face is what each module lists in its `__all__` (one list per module).
"""

from mcp_common.secrets._file import *  # noqa: F403
from mcp_common.secrets._store import *  # noqa: F403
from mcp_common.secrets._vault import *  # noqa: F403
from mcp_common.secrets._vault_auth import *  # noqa: F403
