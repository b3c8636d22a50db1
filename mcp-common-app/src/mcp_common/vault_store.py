"""SecretStore on HashiCorp Vault / OpenBao KV v2: TTL cache, shared misses, last-known-good."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import urlsplit

import hvac
import hvac.exceptions as hvac_errors

from .errors import SecretError, SecretNotFound, SecretStoreUnavailable
from .logging import audit, get_logger
from .vault_auth import (
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
    "KubernetesAuth",
    "SecretMetrics",
    "TokenAuth",
    "VaultAuth",
    "VaultSecretStore",
    "normalize_secret_path",
    "record_secret_access",
]

_log = get_logger(__name__)


class SecretMetrics(Protocol):
    """Optional metrics hook: one call per secret access."""

    def secret_read(self, source: str, outcome: str) -> None:
        """Count one access (`source`: vault|cache|stale|file, `outcome`: success|failure)."""
        ...


@dataclass(frozen=True)
class _Entry:
    value: Mapping[str, Any]
    fetched_at: float


def record_secret_access(
    metrics: SecretMetrics | None,
    path: str,
    source: str,
    outcome: str,
    started_ns: int,
    error: str | None = None,
) -> None:
    """Emit the `secret.read` audit event and metric for one access; never the value."""
    fields: dict[str, Any] = {
        "secret.path": path,
        "secret.source": source,
        "event.duration": time.perf_counter_ns() - started_ns,
    }
    if error:
        fields["error.type"] = error
    audit("secret.read", outcome, **fields)
    if metrics is not None:
        try:
            metrics.secret_read(source, outcome)
        except Exception:  # observability fails open
            _log.debug("secret metrics hook failed", exc_info=True)


def normalize_secret_path(path: str) -> str:
    """`/api/x/` -> `api/x`; ValueError for an empty path or one with `..`."""
    if not isinstance(path, str) or not path.strip("/ "):
        raise ValueError("secret path must be a non-empty string such as 'api/github'")
    key = path.strip().strip("/")
    if ".." in key.split("/"):
        raise ValueError(f"secret path must not contain '..': {key!r}")
    return key


class VaultSecretStore:
    """Reads KV v2 secrets with hvac in worker threads; the event loop never blocks."""

    def __init__(
        self,
        addr: str,
        *,
        auth: VaultAuth,
        mount: str = "secret",
        namespace: str | None = None,
        verify: bool | str = True,
        timeout: float = 5.0,
        cache_ttl: float = 60.0,
        stale_max: float = 300.0,
        renew: bool = True,
        renew_threshold: float = 1 / 3,
        metrics: SecretMetrics | None = None,
    ) -> None:
        parts = urlsplit(addr) if isinstance(addr, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"addr must be an http(s) URL like https://vault:8200, got {addr!r}")
        if not isinstance(mount, str) or not mount.strip("/ "):
            raise ValueError("mount must be a non-empty string such as 'secret'")
        if namespace is not None and not (isinstance(namespace, str) and namespace.strip()):
            raise ValueError("namespace must be a non-empty string or None")
        for name, number in (("cache_ttl", cache_ttl), ("stale_max", stale_max)):
            if not number >= 0:
                raise ValueError(f"{name} must be >= 0 seconds, got {number}")
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        self._mount = mount.strip("/ ")
        self._cache_ttl = cache_ttl
        self._stale_max = stale_max
        self._metrics = metrics
        self._client = hvac.Client(
            url=addr.rstrip("/"), namespace=namespace, verify=verify, timeout=timeout
        )
        self._login = VaultLogin(self._client, auth, renew=renew, renew_threshold=renew_threshold)
        self._cache: dict[str, _Entry] = {}
        self._inflight: dict[str, asyncio.Task[Mapping[str, Any]]] = {}
        self._closed = False

    async def get(self, path: str) -> Mapping[str, Any]:
        """Return the secret at `path` from the cache, Vault, or (Vault down) last-known-good."""
        key = normalize_secret_path(path)
        started = time.perf_counter_ns()
        if self._closed:
            self._record(key, "vault", "failure", started, "SecretStoreUnavailable")
            raise SecretStoreUnavailable("the Vault secret store is closed")
        entry = self._cache.get(key)
        if entry is not None and time.monotonic() - entry.fetched_at < self._cache_ttl:
            self._record(key, "cache", "success", started)
            return entry.value
        try:
            value = await self._shared_read(key)
        except VaultUnreachable as exc:
            age = math.inf if entry is None else time.monotonic() - entry.fetched_at
            if entry is not None and age <= self._stale_max:
                _log.warning(
                    "Vault unreachable (%s); serving the last known value of %r (%.1fs old)",
                    exc,
                    key,
                    age,
                )
                self._record(key, "stale", "success", started)
                return entry.value
            self._record(key, "vault", "failure", started, "SecretStoreUnavailable")
            known = (
                "no value was ever read"
                if entry is None
                else (f"the last known value is older than stale_max={self._stale_max:g}s")
            )
            raise SecretStoreUnavailable(
                f"Vault is unreachable ({exc}) and secret '{key}' cannot be served: {known}"
            ) from None
        except SecretError as exc:
            if isinstance(exc, SecretNotFound):
                self._cache.pop(key, None)  # deleted in Vault: the old value must not come back
            self._record(key, "vault", "failure", started, type(exc).__name__)
            raise
        self._record(key, "vault", "success", started)
        self._login.start_background_renewal()
        return value

    async def ready(self) -> bool:
        """True when Vault is healthy (initialized, unsealed) and our token works."""
        if self._closed:
            return False
        try:
            health = await call_vault(
                self._client.sys.read_health_status, method="GET", standby_ok=True
            )
            if (
                not isinstance(health, dict)
                or health.get("sealed")
                or not health.get("initialized")
            ):
                _log.warning("Vault not ready: sealed, uninitialized or unhealthy")
                return False
            await self._login.ensure()
            token_used = self._login.token
            try:
                await call_vault(self._client.auth.token.lookup_self)
            except VaultDenied:
                if not self._login.can_login:
                    raise
                await self._login.login(token_used)  # a fresh login proves the credentials
            return True
        except (VaultUnreachable, VaultDenied, SecretError, hvac_errors.VaultError) as exc:
            _log.warning("Vault not ready (%s)", type(exc).__name__)
            return False

    async def aclose(self) -> None:
        """Stop the renewal task, drop cached values and close the HTTP session."""
        self._closed = True
        await self._login.aclose()
        self._cache.clear()
        await asyncio.to_thread(self._client.adapter.close)

    async def _shared_read(self, key: str) -> Mapping[str, Any]:
        # Concurrent misses for one path wait on the same Vault read.
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self._read(key), name=f"vault-read:{key}")
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(task)

    def _forget(self, key: str, task: asyncio.Task[Mapping[str, Any]]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # marks it retrieved even when every waiter was cancelled

    async def _read(self, key: str) -> Mapping[str, Any]:
        await self._login.ensure()
        for attempt in (1, 2):
            token_used = self._login.token
            try:
                response = await call_vault(
                    self._client.secrets.kv.v2.read_secret_version,
                    path=key,
                    mount_point=self._mount,
                    raise_on_deleted_version=True,
                )
            except VaultDenied:
                if attempt == 1 and self._login.can_login:
                    # Expired or revoked token: one fresh login, one retry.
                    _log.info("Vault denied reading secret %r; logging in again", key)
                    await self._login.login(token_used)
                    continue
                raise SecretError(
                    f"Permission denied reading secret '{key}' from Vault: check the policy "
                    "bound to this service's token"
                ) from None
            except hvac_errors.InvalidPath:
                raise SecretNotFound(
                    f"No secret at '{key}' in Vault mount '{self._mount}'"
                ) from None
            except hvac_errors.VaultError as exc:
                raise SecretError(
                    f"Vault refused to read secret '{key}' ({type(exc).__name__})"
                ) from None
            data = response.get("data", {}).get("data") if isinstance(response, dict) else None
            if not isinstance(data, dict):
                raise SecretError(f"Secret '{key}' in Vault is not a KV v2 key/value secret")
            value: Mapping[str, Any] = MappingProxyType(dict(data))
            self._cache[key] = _Entry(value, time.monotonic())
            return value
        raise AssertionError("unreachable")  # pragma: no cover

    def _record(
        self, key: str, source: str, outcome: str, started: int, error: str | None = None
    ) -> None:
        record_secret_access(self._metrics, key, source, outcome, started, error)
