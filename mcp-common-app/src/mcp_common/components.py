"""From settings to implementations: the one place that picks engines and backends."""

from __future__ import annotations

from typing import Any

from .authorizer import Authorizer
from .errors import ConfigurationError
from .oidc import OIDCVerifier
from .rate_limit import InMemoryRateLimiter, RateLimiter, RedisRateLimiter
from .secrets import SecretStore
from .settings import CommonSettings

__all__ = ["build_authorizer", "build_rate_limiter", "build_secret_store", "build_verifier"]


def build_verifier(settings: CommonSettings) -> OIDCVerifier:
    """The OIDC verifier for the configured issuer and audience."""
    secret = settings.oidc_client_secret
    return OIDCVerifier(
        str(settings.oidc_issuer),
        settings.oidc_audience,
        jwks_url=str(settings.oidc_jwks_url) if settings.oidc_jwks_url else None,
        algorithms=settings.oidc_algorithms,
        leeway=settings.oidc_leeway_seconds,
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
        from .opa_authorizer import OPAAuthorizer

        return OPAAuthorizer(str(settings.opa_url).rstrip("/"), timeout=settings.opa_timeout)
    from .rego_authorizer import RegoAuthorizer

    return RegoAuthorizer(settings.policy_path)


def build_secret_store(settings: CommonSettings, metrics: Any = None) -> SecretStore:
    """Vault (token, AppRole or Kubernetes auth) or, for development, a file."""
    if settings.secrets_backend == "file":
        from .file_store import FileSecretStore

        assert settings.secrets_file is not None  # checked by the settings validator
        return FileSecretStore(settings.secrets_file, metrics=metrics)
    from .vault_auth import AppRoleAuth, KubernetesAuth, TokenAuth
    from .vault_store import VaultSecretStore

    auth: TokenAuth | AppRoleAuth | KubernetesAuth
    if settings.vault_auth == "token":
        assert settings.vault_token is not None
        auth = TokenAuth(settings.vault_token.get_secret_value())
    elif settings.vault_auth == "approle":
        assert settings.vault_role_id and settings.vault_secret_id
        auth = AppRoleAuth(settings.vault_role_id, settings.vault_secret_id.get_secret_value())
    else:
        assert settings.vault_kubernetes_role
        auth = KubernetesAuth(settings.vault_kubernetes_role)
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
        try:
            import redis.asyncio as redis
        except ImportError as exc:  # pragma: no cover - redis is a dependency
            raise ConfigurationError("MCP_REDIS_URL needs the 'redis' package") from exc
        client = redis.Redis.from_url(settings.redis_url, socket_timeout=0.5)
        return RedisRateLimiter(client, settings.rate_limit_per_minute)
    return InMemoryRateLimiter(settings.rate_limit_per_minute)
