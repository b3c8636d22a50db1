"""Secrets: the SecretStore contract, HashiCorp Vault / OpenBao (KV v2) and file stores."""

from mcp_common.secrets._file import FileSecretStore
from mcp_common.secrets._store import SecretStore
from mcp_common.secrets._vault import (
    SecretMetrics,
    VaultSecretStore,
    normalize_secret_path,
    record_secret_access,
)
from mcp_common.secrets._vault_auth import (
    AppRoleAuth,
    KubernetesAuth,
    TokenAuth,
    VaultAuth,
    VaultDenied,
    VaultLogin,
    VaultUnreachable,
    call_vault,
)

__all__ = [
    "AppRoleAuth",
    "FileSecretStore",
    "KubernetesAuth",
    "SecretMetrics",
    "SecretStore",
    "TokenAuth",
    "VaultAuth",
    "VaultDenied",
    "VaultLogin",
    "VaultSecretStore",
    "VaultUnreachable",
    "call_vault",
    "normalize_secret_path",
    "record_secret_access",
]
