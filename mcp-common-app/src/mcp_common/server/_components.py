"""From settings to implementations: the one place that picks engines and backends."""

from __future__ import annotations

from typing import Any, TypeVar

from mcp_common._redis import redis_client
from mcp_common.auth._verifier import OIDCVerifier
from mcp_common.errors import ConfigurationError
from mcp_common.policy._authorizer import Authorizer
from mcp_common.secrets._store import SecretStore
from mcp_common.server._rate_limit import InMemoryRateLimiter, RateLimiter, RedisRateLimiter
from mcp_common.server._read_cache import InMemoryReadCache, ReadCache, RedisReadCache
from mcp_common.settings import CommonSettings

__all__ = [
    "build_authorizer",
    "build_rate_limiter",
    "build_read_cache",
    "build_secret_store",
    "build_verifier",
]


def build_verifier(settings: CommonSettings) -> OIDCVerifier:
    """The OIDC verifier for the configured issuer and this service's own audience."""
    secret = settings.oidc_client_secret
    return OIDCVerifier(
        str(settings.oidc_issuer),
        settings.token_audience,
        jwks_url=str(settings.oidc_jwks_url) if settings.oidc_jwks_url else None,
        algorithms=settings.oidc_algorithms,
        leeway=settings.oidc_leeway_seconds,
        max_token_lifetime=settings.oidc_max_token_lifetime_seconds or None,
        groups_claim=settings.oidc_groups_claim,
        mfa_methods=settings.oidc_mfa_methods,
        opaque_tokens=settings.oidc_opaque_tokens,
        client_id=settings.oidc_client_id,
        client_secret=secret.get_secret_value() if secret else None,
        timeout=settings.oidc_http_timeout,
    )


def build_authorizer(settings: CommonSettings) -> Authorizer:
    """The embedded (regopy) or remote (OPA REST) policy engine."""
    if settings.policy_engine == "remote":
        from mcp_common.policy._opa import OPAAuthorizer

        return OPAAuthorizer(str(settings.opa_url).rstrip("/"), timeout=settings.opa_timeout)
    from mcp_common.policy._rego import RegoAuthorizer

    return RegoAuthorizer(settings.policy_path)


T = TypeVar("T")


def _required(value: T | None, name: str) -> T:
    """A setting the chosen backend needs (the settings validator checks it first; settings
    built without validation get a clear error here, never an AttributeError later)."""
    if value is None or value == "":
        raise ConfigurationError(f"{name} is required for this secrets backend")
    return value


def build_secret_store(settings: CommonSettings, metrics: Any = None) -> SecretStore:
    """Vault (token, AppRole or Kubernetes auth) or, for development, a file."""
    if settings.secrets_backend == "file":
        from mcp_common.secrets._file import FileSecretStore

        return FileSecretStore(
            _required(settings.secrets_file, "MCP_SECRETS_FILE"), metrics=metrics
        )
    from mcp_common.secrets._vault import VaultSecretStore
    from mcp_common.secrets._vault_auth import AppRoleAuth, KubernetesAuth, TokenAuth

    auth: TokenAuth | AppRoleAuth | KubernetesAuth
    if settings.vault_auth == "token":
        token = _required(settings.vault_token, "MCP_VAULT_TOKEN")
        auth = TokenAuth(token.get_secret_value())
    elif settings.vault_auth == "approle":
        role_id = _required(settings.vault_role_id, "MCP_VAULT_ROLE_ID")
        secret_id = _required(settings.vault_secret_id, "MCP_VAULT_SECRET_ID")
        auth = AppRoleAuth(role_id, secret_id.get_secret_value())
    else:
        auth = KubernetesAuth(
            _required(settings.vault_kubernetes_role, "MCP_VAULT_KUBERNETES_ROLE")
        )
    return VaultSecretStore(
        str(settings.vault_addr).rstrip("/"),
        auth=auth,
        mount=settings.vault_mount,
        namespace=settings.vault_namespace,
        verify=settings.vault_verify,
        cache_ttl=settings.secret_cache_ttl,
        stale_max=settings.secret_stale_max,
        metrics=metrics,
    )


def build_rate_limiter(settings: CommonSettings) -> RateLimiter | None:
    """Redis-backed when `MCP_REDIS_URL` is set (shared by replicas), in memory otherwise."""
    if settings.rate_limit_per_minute == 0:
        return None
    if settings.redis_url:
        return RedisRateLimiter(redis_client(settings.redis_url), settings.rate_limit_per_minute)
    return InMemoryRateLimiter(settings.rate_limit_per_minute)


def build_read_cache(settings: CommonSettings) -> ReadCache | None:
    """Shared through Redis when `MCP_REDIS_URL` is set, in memory otherwise; None when off."""
    if not settings.tool_cache:
        return None
    if settings.redis_url:
        return RedisReadCache(redis_client(settings.redis_url))
    return InMemoryReadCache()
