"""RadkitClient: the backend the secret chooses (sdk or http), rebuilt when the secret changes."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from mcp_common import SecretStore, get_logger
from mcp_common.http import Endpoint, SecretBackedClient, positive_seconds

from .backend import DeviceInfo, ExecResult, RadkitBackend, Reachability, ServiceInfo
from .config import RadkitConfig, radkit_config
from .errors import BACKEND
from .http_backend import HttpBackend
from .sdk_backend import SdkBackend

__all__ = ["DEFAULT_SECRET_PATH", "RadkitClient"]

DEFAULT_SECRET_PATH = "api/radkit"
_log = get_logger(__name__)


class RadkitClient(SecretBackedClient[RadkitConfig]):
    """A RadkitBackend that reads its configuration from the SecretStore; no MCP here.

    The secret chooses the backend (sdk or http); a changed secret builds a new one. In http
    mode the backends share the pooled HTTP client of their endpoint.
    """

    BACKEND = BACKEND
    SECRET_PATH = DEFAULT_SECRET_PATH
    TIMEOUT = 30.0
    SETTINGS_OPTIONS = ("poll_interval", "wait_margin")

    def __init__(
        self,
        secrets: SecretStore,
        *,
        poll_interval: float = 0.5,
        wait_margin: float = 10.0,
        **options: Any,
    ) -> None:
        """`options`: those of SecretBackedClient (secret_path, timeout, retry, ...)."""
        super().__init__(secrets, **options)
        self.poll_interval = positive_seconds("poll_interval", poll_interval)
        self.wait_margin = positive_seconds("wait_margin", wait_margin)
        self._backend: RadkitBackend | None = None
        self._config: RadkitConfig | None = None
        self._retired_backends: list[RadkitBackend] = []
        self._lock = asyncio.Lock()

    def parse_secret(self, secret: Mapping[str, Any]) -> RadkitConfig:
        """{mode, service_id, client_id, client_secret, base_url?, verify_tls?, ...}."""
        return radkit_config(secret, self.secret_path)

    def endpoint(self, config: RadkitConfig) -> Endpoint:
        """The relay's URL and TLS verification (http mode)."""
        return config.base_url, config.verify

    async def backend(self) -> RadkitBackend:
        """The backend for the current secret (built, or rebuilt, when the secret changed)."""
        config = await self.config()
        async with self._lock:
            if self._backend is None or self._config != config:
                if self._backend is not None:
                    # In-flight calls may still use it; it is closed with the client.
                    self._retired_backends.append(self._backend)
                self._backend = await self._build(config)
                self._config = config
                _log.info(
                    "RADKit backend ready",
                    extra={
                        "event.action": "radkit.backend",
                        "radkit.mode": config.mode,
                        "radkit.service_id": config.service_id,
                    },
                )
            return self._backend

    async def _build(self, config: RadkitConfig) -> RadkitBackend:
        if config.mode == "http":
            http, _ = await self.connection(config)
            return HttpBackend(
                config, http, poll_interval=self.poll_interval, wait_margin=self.wait_margin
            )
        return SdkBackend(config, wait_margin=self.wait_margin)

    async def ping(self) -> ServiceInfo:
        """Check that the service answers."""
        return await (await self.backend()).ping()

    async def inventory(self) -> list[DeviceInfo]:
        """Every device of the service's inventory."""
        return await (await self.backend()).inventory()

    async def device(self, name: str) -> DeviceInfo:
        """One device by name."""
        return await (await self.backend()).device(name)

    async def exec(
        self, devices: Sequence[str], commands: Sequence[str], device_timeout: float
    ) -> ExecResult:
        """Run commands on devices and wait for the outcome."""
        return await (await self.backend()).exec(devices, commands, device_timeout)

    async def reachability(
        self, devices: Sequence[str], device_timeout: float
    ) -> list[Reachability]:
        """Whether each device's terminal answers."""
        return await (await self.backend()).reachability(devices, device_timeout)

    async def aclose(self) -> None:
        """Close every backend built so far, then the connection pools."""
        backends = [*self._retired_backends, *([self._backend] if self._backend else [])]
        self._backend, self._config, self._retired_backends = None, None, []
        for backend in backends:
            await backend.aclose()
        await super().aclose()
