"""Vault authentication for the secret store: token, AppRole, Kubernetes; login and renewal."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import hvac
import hvac.exceptions as hvac_errors
import requests

from mcp_common.errors import SecretError
from mcp_common.observability._logging import get_logger

__all__ = [
    "AppRoleAuth",
    "KubernetesAuth",
    "TokenAuth",
    "VaultAuth",
    "VaultDenied",
    "VaultLogin",
    "VaultUnreachable",
    "call_vault",
]

_log = get_logger(__name__)

# Answers that say "Vault is not there right now", as opposed to "Vault said no".
_UNREACHABLE: tuple[type[Exception], ...] = (
    requests.exceptions.RequestException,
    hvac_errors.InternalServerError,
    hvac_errors.BadGateway,
    hvac_errors.VaultDown,
    hvac_errors.VaultNotInitialized,
    hvac_errors.RateLimitExceeded,
    hvac_errors.UnexpectedError,
)
_RETRY_PAUSE = 5.0  # seconds between renewal attempts that failed or could not extend the token


class _NonEmptyFields:
    def __post_init__(self) -> None:
        for spec in fields(self):  # type: ignore[arg-type]
            value = getattr(self, spec.name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{type(self).__name__}.{spec.name} must be a non-empty string")


@dataclass(frozen=True)
class TokenAuth(_NonEmptyFields):
    """Authenticate with a Vault token given as is (dev, CI, or injected by an agent)."""

    token: str = field(repr=False)


@dataclass(frozen=True)
class AppRoleAuth(_NonEmptyFields):
    """Authenticate with an AppRole role_id/secret_id pair."""

    role_id: str
    secret_id: str = field(repr=False)
    mount: str = "approle"


@dataclass(frozen=True)
class KubernetesAuth(_NonEmptyFields):
    """Authenticate with the pod's service account token (re-read at every login)."""

    role: str
    jwt_path: str = "/var/run/secrets/kubernetes.io/serviceaccount/token"
    mount: str = "kubernetes"


VaultAuth = TokenAuth | AppRoleAuth | KubernetesAuth


class VaultUnreachable(Exception):
    """Vault did not answer usefully (network, timeout, 5xx, 429); the message is a safe label."""


class VaultDenied(Exception):
    """Vault refused the current token (401/403)."""


async def call_vault(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Run one blocking hvac call in a worker thread and classify its failures."""
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except (hvac_errors.Forbidden, hvac_errors.Unauthorized):
        raise VaultDenied() from None
    except _UNREACHABLE as exc:
        raise VaultUnreachable(type(exc).__name__) from None


class VaultLogin:
    """Keeps one hvac client logged in: login, renew-self before expiry, login again on denial."""

    def __init__(
        self, client: hvac.Client, auth: VaultAuth, *, renew: bool, renew_threshold: float
    ) -> None:
        if not isinstance(auth, TokenAuth | AppRoleAuth | KubernetesAuth):
            raise ValueError("auth must be a TokenAuth, AppRoleAuth or KubernetesAuth")
        if not 0 < renew_threshold < 1:
            raise ValueError(f"renew_threshold must be between 0 and 1, got {renew_threshold}")
        self._client = client
        self._auth = auth
        self._renew = renew
        self._threshold = renew_threshold
        # Serializes login and renewal: concurrent readers never log in twice.
        self._lock = asyncio.Lock()
        self._logged_in = False
        self._ttl = 0.0  # seconds the token was granted; 0 = it never expires
        self._deadline = math.inf  # monotonic time the token expires
        self._renewable = False
        self._next_attempt = 0.0  # monotonic time before which no renewal is retried
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def can_login(self) -> bool:
        """True when a fresh token can be obtained (AppRole, Kubernetes), False for a token."""
        return not isinstance(self._auth, TokenAuth)

    @property
    def token(self) -> str | None:
        """The token in use (compare only, never log it)."""
        token: str | None = self._client.token
        return token

    async def ensure(self) -> None:
        """Log in if not yet done; renew the token once less than `renew_threshold` is left."""
        if not self._logged_in:
            await self.login(stale_token=None)
        if self._renew and self._renewal_due():
            await self._refresh()

    async def login(self, stale_token: str | None) -> None:
        """Log in, unless another task already replaced `stale_token` with a fresh token."""
        async with self._lock:
            if self._logged_in and (stale_token is None or self._client.token != stale_token):
                return
            await self._login_locked()

    def start_background_renewal(self) -> None:
        """Start the renewal task once (lazily, from a running event loop)."""
        if self._renew and self._task is None and not self._closed:
            self._task = asyncio.create_task(self._renew_loop(), name="vault-token-renewal")

    async def aclose(self) -> None:
        """Cancel the renewal task."""
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _renewal_due(self) -> bool:
        now = time.monotonic()
        return (
            self._ttl > 0
            and now >= self._next_attempt
            and self._deadline - now < self._threshold * self._ttl
        )

    async def _login_locked(self) -> None:
        auth, kind = self._auth, type(self._auth).__name__
        try:
            if isinstance(auth, TokenAuth):
                self._client.token = auth.token
                data = (await call_vault(self._client.auth.token.lookup_self)).get("data") or {}
                ttl = float(data.get("ttl") or 0)
                base = float(data.get("period") or data.get("creation_ttl") or 0)
                self._set_lease(ttl, bool(data.get("renewable")), base=max(base, ttl))
            else:
                if isinstance(auth, AppRoleAuth):
                    response = await call_vault(
                        self._client.auth.approle.login,
                        role_id=auth.role_id,
                        secret_id=auth.secret_id,
                        mount_point=auth.mount,
                    )
                else:
                    jwt = await asyncio.to_thread(_read_jwt, auth.jwt_path)
                    response = await call_vault(
                        self._client.auth.kubernetes.login,
                        role=auth.role,
                        jwt=jwt,
                        mount_point=auth.mount,
                    )
                lease = response.get("auth") or {}
                duration = float(lease.get("lease_duration") or 0)
                self._set_lease(duration, bool(lease.get("renewable")), base=duration)
        except (VaultDenied, hvac_errors.VaultError) as exc:
            self._logged_in = False
            raise SecretError(
                f"Vault rejected the {kind} credentials ({type(exc).__name__}): check the "
                "token, role or secret id configured for this service"
            ) from None
        self._logged_in = True
        _log.info(
            "Logged in to Vault", extra={"vault.auth": kind, "vault.lease_duration": self._ttl}
        )

    def _set_lease(self, remaining: float, renewable: bool, *, base: float) -> None:
        self._ttl = base if remaining > 0 else 0.0
        self._deadline = time.monotonic() + remaining if remaining > 0 else math.inf
        self._renewable = renewable
        self._next_attempt = 0.0

    async def _refresh(self) -> None:
        async with self._lock:
            if not self._renewal_due():
                return
            if self._renewable:
                try:
                    response = await call_vault(self._client.auth.token.renew_self)
                    remaining = float((response.get("auth") or {}).get("lease_duration") or 0)
                    self._deadline = time.monotonic() + remaining
                    self._ttl = max(self._ttl, remaining)
                    _log.info("Renewed the Vault token", extra={"vault.lease_duration": remaining})
                except VaultUnreachable as exc:
                    # Reads decide what to serve meanwhile; try again a little later.
                    _log.warning("Vault token renewal failed: Vault unreachable (%s)", exc)
                    self._next_attempt = time.monotonic() + _RETRY_PAUSE
                    return
                except (VaultDenied, hvac_errors.VaultError) as exc:
                    _log.warning("Vault refused to renew the token (%s)", type(exc).__name__)
                if not self._renewal_due():
                    return
            # Not renewable, refused, or capped by its max TTL: a fresh login when we can.
            if self.can_login:
                await self._login_locked()
            else:
                left = self._deadline - time.monotonic()
                _log.warning("The Vault token cannot be extended; it expires in %.0fs", left)
                self._next_attempt = time.monotonic() + _RETRY_PAUSE

    async def _renew_loop(self) -> None:
        while True:
            if self._ttl > 0:
                due_at = self._deadline - self._threshold * self._ttl
                delay = max(due_at, self._next_attempt) - time.monotonic()
            else:
                delay = 60.0  # the token never expires: just look again later
            await asyncio.sleep(max(1.0, delay))
            try:
                if self._renewal_due():
                    await self._refresh()
            except (VaultUnreachable, SecretError) as exc:
                _log.warning("Background Vault token renewal failed (%s)", type(exc).__name__)
                self._next_attempt = time.monotonic() + _RETRY_PAUSE


def _read_jwt(jwt_path: str) -> str:
    try:
        jwt = Path(jwt_path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SecretError(
            f"Cannot read the Kubernetes service account token at {jwt_path} ({exc.strerror})"
        ) from None
    if not jwt:
        raise SecretError(f"The Kubernetes service account token at {jwt_path} is empty")
    return jwt
