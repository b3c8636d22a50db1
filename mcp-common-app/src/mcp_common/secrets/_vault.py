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

from mcp_common.errors import SecretError, SecretNotFound, SecretStoreUnavailable, UpstreamError
from mcp_common.http._circuit_breaker import CircuitBreaker, CircuitState
from mcp_common.observability._logging import audit, get_logger
from mcp_common.secrets._vault_auth import (
    VaultAuth,
    VaultDenied,
    VaultLogin,
    VaultUnreachable,
    call_vault,
)

__all__ = [
    "SecretMetrics",
    "VaultSecretStore",
    "normalize_secret_path",
    "record_secret_access",
]

_log = get_logger(__name__)


class SecretMetrics(Protocol):
    """Optional metrics hook: one call per secret access.

    A hook that also has `secrets_degraded(degraded: bool)` is told when the store starts and
    stops serving last-known-good values because Vault is unreachable.
    """

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
    """Count one access; emit the `secret.read` audit event for each read from the store
    (Vault, stale, file), never the value.

    A read served from the in-process cache is counted (`mcp_secret_reads_total{source=
    "cache"}`) but not audited: it would be one more log line on every tool call, and the
    read it repeats was audited when it reached Vault.
    """
    fields: dict[str, Any] = {
        "secret.path": path,
        "secret.source": source,
        "event.duration": time.perf_counter_ns() - started_ns,
    }
    if error:
        fields["error.type"] = error
    if source != "cache":
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
    """Reads KV v2 secrets with hvac in worker threads; the event loop never blocks.

    When Vault stops answering (network error, timeout, 5xx), a circuit opens for
    `unreachable_backoff` seconds: reads then skip Vault (last-known-good values within
    `stale_max`, or SecretStoreUnavailable at once) instead of each waiting `timeout`, and
    one probe at a time checks whether Vault is back. While last-known-good values are
    served the store is `degraded` but still `ready`, so every replica is not pulled out of
    rotation at once.
    """

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
        unreachable_backoff: float = 5.0,
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
        if not unreachable_backoff > 0:
            raise ValueError(f"unreachable_backoff must be > 0 seconds, got {unreachable_backoff}")
        self._timeout = timeout
        # One failure is enough: a Vault that did not answer costs every caller `timeout`.
        self._breaker = CircuitBreaker(
            "vault", failure_threshold=1, reset_timeout=unreachable_backoff
        )
        self._degraded = False
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
                self._refresh_degraded()
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
        if self._degraded:
            self._refresh_degraded()
        self._login.start_background_renewal()
        return value

    @property
    def degraded(self) -> bool:
        """True while Vault is known to be down and last-known-good values are served."""
        return self._refresh_degraded()

    def _refresh_degraded(self) -> bool:
        """Recompute `degraded`; log and tell the metrics hook when it changes."""
        degraded = self._breaker.state is not CircuitState.CLOSED and self._has_last_known()
        if degraded != self._degraded:
            self._degraded = degraded
            _log.warning(
                "secrets %s",
                "degraded: Vault unreachable, serving last-known-good values"
                if degraded
                else "recovered: Vault answers again",
                extra={"event.action": "secrets.degraded" if degraded else "secrets.recovered"},
            )
            hook = getattr(self._metrics, "secrets_degraded", None)
            if hook is not None:
                try:
                    hook(degraded)
                except Exception:  # observability fails open
                    _log.debug("secret metrics hook failed", exc_info=True)
        return degraded

    def _has_last_known(self) -> bool:
        now = time.monotonic()
        return any(now - e.fetched_at <= self._stale_max for e in self._cache.values())

    async def ready(self) -> bool:
        """True when Vault is healthy and our token works, or, Vault down, while the
        last-known-good values are still fresh enough to serve (see `degraded`)."""
        if self._closed:
            return False
        try:
            permit = self._breaker.acquire()
        except UpstreamError:  # known down: no call, no wait
            return self._stale_ready()
        try:
            # Below /readyz's own 3 s bound, so a hung Vault counts as down, not as unknown.
            ok = await asyncio.wait_for(self._check_vault(), timeout=min(self._timeout, 2.5))
        except (VaultUnreachable, TimeoutError) as exc:
            permit.failure()
            _log.warning("Vault not ready (%s)", type(exc).__name__)
            return self._stale_ready()
        except BaseException:
            permit.release()
            raise
        permit.success()
        self._refresh_degraded()
        return ok

    def _stale_ready(self) -> bool:
        return self._refresh_degraded()

    async def _check_vault(self) -> bool:
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
        except (VaultDenied, SecretError, hvac_errors.VaultError) as exc:
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
        try:
            permit = self._breaker.acquire()
        except UpstreamError:
            raise VaultUnreachable("known down, retrying shortly") from None
        try:
            value = await self._read_vault(key)
        except VaultUnreachable:
            permit.failure()
            raise
        except (SecretError, VaultDenied, hvac_errors.VaultError):
            permit.success()  # Vault answered, even if it said no
            raise
        except BaseException:
            permit.release()
            raise
        permit.success()
        return value

    async def _read_vault(self, key: str) -> Mapping[str, Any]:
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
