"""RadkitClient: the backend the secret chooses (sdk or http), rebuilt when the secret changes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import httpx

from mcp_common import SecretStore, get_logger

from .backend import DeviceInfo, ExecResult, RadkitBackend, Reachability, ServiceInfo
from .config import RadkitConfig, radkit_config
from .http_backend import HttpBackend
from .sdk_backend import SdkBackend

__all__ = ["DEFAULT_SECRET_PATH", "RadkitClient"]

DEFAULT_SECRET_PATH = "api/radkit"
_log = get_logger(__name__)


class RadkitClient:
    """A RadkitBackend that reads its configuration from the SecretStore; no MCP here."""

    def __init__(
        self,
        secrets: SecretStore,
        *,
        secret_path: str = DEFAULT_SECRET_PATH,
        timeout: float = 30.0,
        retries: int = 3,
        poll_interval: float = 0.5,
        wait_margin: float = 10.0,
        metrics: object | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not secret_path:
            raise ValueError("secret_path must not be empty")
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        if retries < 0:
            raise ValueError(f"retries must be >= 0, got {retries}")
        if not poll_interval > 0:
            raise ValueError(f"poll_interval must be > 0 seconds, got {poll_interval}")
        if not wait_margin > 0:
            raise ValueError(f"wait_margin must be > 0 seconds, got {wait_margin}")
        self.secret_path = secret_path
        self.timeout = timeout
        self.retries = retries
        self.poll_interval = poll_interval
        self.wait_margin = wait_margin
        self._secrets = secrets
        self._metrics = metrics
        self._transport = transport
        self._backend: RadkitBackend | None = None
        self._config: RadkitConfig | None = None
        self._retired: list[RadkitBackend] = []
        self._lock = asyncio.Lock()

    async def backend(self) -> RadkitBackend:
        """The backend for the current secret (built, or rebuilt, when the secret changed)."""
        config = radkit_config(await self._secrets.get(self.secret_path), self.secret_path)
        async with self._lock:
            if self._backend is None or self._config != config:
                if self._backend is not None:
                    self._retired.append(self._backend)  # in-flight calls may still use it
                self._backend = self._build(config)
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

    def _build(self, config: RadkitConfig) -> RadkitBackend:
        if config.mode == "http":
            return HttpBackend(
                config,
                timeout=self.timeout,
                retries=self.retries,
                poll_interval=self.poll_interval,
                wait_margin=self.wait_margin,
                metrics=self._metrics,
                transport=self._transport,
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
        """Close every backend built so far."""
        backends = [*self._retired, *([self._backend] if self._backend is not None else [])]
        self._backend, self._config, self._retired = None, None, []
        for backend in backends:
            await backend.aclose()
