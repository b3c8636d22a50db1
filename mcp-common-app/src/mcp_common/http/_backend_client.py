"""The base of backend API clients whose URL, TLS settings and credentials are a secret."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

import httpx

from mcp_common.errors import ConfigurationError
from mcp_common.http._backend_settings import BackendSettings
from mcp_common.http._client import make_http_client
from mcp_common.http._retry import RetryPolicy

if TYPE_CHECKING:  # a contract only: the http package does not depend on secrets
    from mcp_common.secrets._store import SecretStore

__all__ = ["Endpoint", "SecretBackedClient", "positive_seconds", "verify_tls_of"]

ConfigT = TypeVar("ConfigT")
# What the pooled HTTP client depends on: the base URL and TLS verification (a CA bundle path
# or a flag).
Endpoint = tuple[str, bool | str]
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def verify_tls_of(secret: Mapping[str, Any], path: str) -> bool:
    """A secret's `verify_tls` flag (a boolean or "true"/"false"; default true)."""
    raw = secret.get("verify_tls", True)
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text not in _TRUE | _FALSE:
        raise ConfigurationError(f"secret '{path}': verify_tls must be 'true' or 'false'")
    return text in _TRUE


def positive_seconds(name: str, value: float) -> float:
    """A constructor's duration option, refused (ValueError naming it) unless > 0 seconds."""
    if not value > 0:
        raise ValueError(f"{name} must be > 0 seconds, got {value}")
    return value


class SecretBackedClient(ABC, Generic[ConfigT]):
    """Reads its backend's configuration from the SecretStore for each call; pools connections.

    The store caches the secret, so a rotated credential is picked up without a restart. The
    pooled HTTP client is rebuilt only when the endpoint (base URL, TLS verification) changes;
    the one it replaces is retired, not closed, since calls in flight may still use it, and
    `aclose` closes them all.

    Subclasses declare their backend (`BACKEND`: the name in logs, metrics and errors), the
    defaults that differ (`SECRET_PATH`, `TIMEOUT`, `HEADERS`), how a secret is validated
    (`parse_secret`) and what its endpoint is (`endpoint`); a constructor of their own takes
    its extra options and passes the rest on. Those of its options that are settings too are
    named in `SETTINGS_OPTIONS`, for `from_settings` to take from the settings.
    """

    BACKEND: ClassVar[str] = ""
    SECRET_PATH: ClassVar[str] = ""
    TIMEOUT: ClassVar[float] = 10.0
    HEADERS: ClassVar[Mapping[str, str]] = {}
    # Constructor options whose values `from_settings` takes from the settings field of the
    # same name (options given to it explicitly win).
    SETTINGS_OPTIONS: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        secrets: SecretStore,
        *,
        secret_path: str | None = None,
        backend: str | None = None,
        timeout: float | None = None,
        retry: RetryPolicy = RetryPolicy(),
        headers: Mapping[str, str] | None = None,
        metrics: object | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = 100,
        max_waiting: int = 200,
    ) -> None:
        secret_path = self.SECRET_PATH if secret_path is None else secret_path
        timeout = self.TIMEOUT if timeout is None else timeout
        if not secret_path.strip("/"):
            raise ValueError("secret_path must not be empty")
        backend = self.BACKEND if backend is None else backend
        if not backend:
            raise ValueError("backend name must not be empty")
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        self.secrets = secrets
        self.secret_path = secret_path.strip("/")
        self.backend_name = backend
        self.timeout = timeout
        self.retry = retry
        self.metrics = metrics
        self._headers = {**self.HEADERS, **(headers or {})}
        self._transport = transport
        if max_connections < 1 or max_waiting < 0:
            raise ValueError("need max_connections >= 1 and max_waiting >= 0")
        self.max_connections = max_connections
        self.max_waiting = max_waiting
        self._http: httpx.AsyncClient | None = None
        self._endpoint: Endpoint | None = None
        self._retired: list[httpx.AsyncClient] = []

    @classmethod
    def from_settings(
        cls,
        settings: BackendSettings,
        secrets: SecretStore,
        metrics: object | None = None,
        **options: Any,
    ) -> Self:
        """A client configured by `MCP_SECRET_PATH` and `MCP_BACKEND_*`, plus `options`.

        The options named in `SETTINGS_OPTIONS` are the settings' fields of the same name,
        unless given in `options`; a name the settings lack is a TypeError.
        """
        fields = type(settings).model_fields
        unknown = [name for name in cls.SETTINGS_OPTIONS if name not in fields]
        if unknown:
            raise TypeError(
                f"{cls.__name__}.SETTINGS_OPTIONS names {', '.join(map(repr, unknown))}, "
                f"not a field of {type(settings).__name__}"
            )
        declared = {name: getattr(settings, name) for name in cls.SETTINGS_OPTIONS}
        return cls(
            secrets,
            secret_path=settings.secret_path,
            timeout=settings.backend_timeout,
            retry=settings.retry_policy(),
            metrics=metrics,
            max_connections=settings.backend_max_connections,
            max_waiting=settings.backend_max_waiting,
            **(declared | options),
        )

    @abstractmethod
    def parse_secret(self, secret: Mapping[str, Any]) -> ConfigT:
        """Validate the secret; a ConfigurationError names the key at fault, never a value."""

    @abstractmethod
    def endpoint(self, config: ConfigT) -> Endpoint:
        """The base URL and TLS verification the pooled client is built for."""

    def reconnected(self, config: ConfigT) -> None:
        """Called when the pool was rebuilt for a new endpoint (e.g. to drop a session)."""

    async def config(self) -> ConfigT:
        """The current configuration, read from the store and validated."""
        return self.parse_secret(await self.secrets.get(self.secret_path))

    async def connection(self, config: ConfigT | None = None) -> tuple[httpx.AsyncClient, ConfigT]:
        """The pooled client for the current (or the given) configuration, and that config."""
        if config is None:
            config = await self.config()
        endpoint = self.endpoint(config)
        if self._http is None or endpoint != self._endpoint:
            if self._http is not None:
                self._retired.append(self._http)
            base_url, verify = endpoint
            self._http = make_http_client(
                self.backend_name,
                base_url=base_url,
                verify=verify,
                timeout=self.timeout,
                retry=self.retry,
                headers=self._headers,
                metrics=self.metrics,
                transport=self._transport,
                max_connections=self.max_connections,
                max_waiting=self.max_waiting,
            )
            self._endpoint = endpoint
            self.reconnected(config)
        return self._http, config

    async def cache_identity(self) -> str:
        """Which backend answers: its base URL (part of every shared read-cache key)."""
        return self.endpoint(await self.config())[0]

    async def aclose(self) -> None:
        """Close the pool and every retired one."""
        pools = [*self._retired, *([self._http] if self._http is not None else [])]
        self._http, self._endpoint, self._retired = None, None, []
        for pool in pools:
            await pool.aclose()
