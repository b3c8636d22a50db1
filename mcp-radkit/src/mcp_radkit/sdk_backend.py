"""RadkitBackend on the real RADKit client SDK (`radkit_client`), imported lazily.

The SDK is not on the package index (`cisco-radkit-client` there is a placeholder): it comes
from https://radkit.cisco.com/downloads/release/ and is not installed here, so this module
cannot be tested in this repository. It stays a thin, literal mapping of the SDK's
documented calls: `Client.create()`, `certificate_login(...)`, `service_cloud(serial)
.wait()`, `service.ping()`, `service.inventory`, `inventory.filter("name", regex)
.exec(commands, timeout=...).wait(...)`, `response.result[device][command].status/.data`.
The SDK is synchronous; every call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import importlib
import math
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import anyio.to_thread

from mcp_common import ConfigurationError, UpstreamError
from mcp_common.http import positive_seconds
from mcp_common.observability import redact_text

from .backend import (
    CommandResult,
    DeviceInfo,
    DeviceResult,
    ExecResult,
    RadkitBackend,
    ServiceInfo,
    exec_status,
)
from .config import RadkitConfig
from .errors import BACKEND, DeviceNotFound, RequestTimedOut

__all__ = ["INSTALL_HINT", "SdkBackend"]

INSTALL_HINT = (
    "the RADKit SDK (module radkit_client) is not installed: install the cisco-radkit-client "
    "wheels for this platform from https://radkit.cisco.com/downloads/release/ (the package "
    "index only has a placeholder), or set mode=http in the secret to use a RADKit simulator"
)
T = TypeVar("T")


def _text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


class SdkBackend(RadkitBackend):
    """One logged-in SDK client and its connection to the service, opened on first use."""

    def __init__(self, config: RadkitConfig, *, wait_margin: float = 10.0) -> None:
        if config.mode != "sdk":
            raise ValueError(f"SdkBackend needs an sdk-mode config, got mode {config.mode!r}")
        self.wait_margin = positive_seconds("wait_margin", wait_margin)
        try:
            self._sdk = importlib.import_module("radkit_client.sync")
        except ImportError:
            raise ConfigurationError(INSTALL_HINT) from None
        self.config = config
        self._context: Any = None
        self._service: Any = None
        self._lock = asyncio.Lock()

    async def _run(self, fn: Callable[[], T]) -> T:
        """Run SDK code in a thread; its failures become safe UpstreamErrors."""
        try:
            return await anyio.to_thread.run_sync(fn)
        except (DeviceNotFound, RequestTimedOut, UpstreamError):
            raise
        except Exception as exc:
            detail = " ".join(redact_text(str(exc)).split())[:200]
            message = f"RADKit SDK call failed ({type(exc).__name__})"
            raise UpstreamError(
                f"{message}: {detail}" if detail else message, backend=BACKEND
            ) from None

    async def _connected(self) -> Any:
        async with self._lock:
            if self._service is None:
                self._service = await self._run(self._connect)
            return self._service

    def _connect(self) -> Any:
        c = self.config
        context = self._sdk.Client.create()
        client = context.__enter__()
        try:
            paths = {
                "ca_path": c.ca_path,
                "cert_path": c.cert_path,
                "key_path": c.key_path,
                "private_key_password": c.client_secret,
            }
            client.certificate_login(identity=c.client_id, **{k: v for k, v in paths.items() if v})
            service = client.service_cloud(c.service_id).wait()
        except BaseException:
            context.__exit__(None, None, None)
            raise
        self._context = context
        return service

    async def ping(self) -> ServiceInfo:
        """`service.ping()`, then the service's status, version and inventory size."""
        service = await self._connected()

        def ping() -> ServiceInfo:
            service.ping()
            return ServiceInfo(
                self.config.service_id,
                _text(service.status) or "READY",
                _text(getattr(service, "version", "")),
                len(service.inventory),
            )

        return await self._run(ping)

    async def inventory(self) -> list[DeviceInfo]:
        """`service.inventory.values()`."""
        service = await self._connected()
        return await self._run(lambda: [_info(d) for d in service.inventory.values()])

    async def device(self, name: str) -> DeviceInfo:
        """`service.inventory[name]`."""
        service = await self._connected()

        def lookup() -> DeviceInfo:
            try:
                return _info(service.inventory[name])
            except KeyError:
                raise DeviceNotFound([name]) from None

        return await self._run(lookup)

    async def exec(
        self, devices: Sequence[str], commands: Sequence[str], device_timeout: float
    ) -> ExecResult:
        """`inventory.filter("name", ^(a|b)$).exec(commands, timeout=t).wait(t + margin)`."""
        service = await self._connected()
        limit = device_timeout + self.wait_margin

        def run() -> ExecResult:
            pattern = "^(" + "|".join(re.escape(d) for d in devices) + ")$"
            subset = service.inventory.filter("name", pattern)
            missing = [d for d in devices if d not in subset]
            if missing:
                raise DeviceNotFound(missing)
            request = subset.exec(list(commands), timeout=math.ceil(device_timeout))
            try:
                response = request.wait(limit)
            except TimeoutError:
                raise RequestTimedOut("", limit) from None
            found = tuple(_result(d, response.result[d], commands) for d in devices)
            return ExecResult(None, found)

        return await self._run(run)

    async def aclose(self) -> None:
        """Leave the SDK client's context (closes its connections)."""
        context, self._context, self._service = self._context, None, None
        if context is not None:
            await anyio.to_thread.run_sync(lambda: context.__exit__(None, None, None))


def _info(device: Any) -> DeviceInfo:
    labels = getattr(device, "labels", None) or ()
    return DeviceInfo(
        name=_text(device.name),
        host=_text(getattr(device, "host", "")),
        device_type=_text(getattr(device, "device_type", "")) or "UNKNOWN",
        description=_text(getattr(device, "description", "")),
        labels=tuple(sorted(_text(label) for label in labels)),
    )


def _result(name: str, device_result: Any, commands: Sequence[str]) -> DeviceResult:
    results = []
    for command in commands:
        try:
            one = device_result[command]
            results.append(
                CommandResult(
                    command,
                    exec_status(one.status),
                    _text(one.data),
                    _text(getattr(one, "status_message", "")),
                )
            )
        except Exception as exc:  # no result for this command (the device failed before it)
            results.append(CommandResult(command, "FAILURE", "", type(exc).__name__))
    message = _text(getattr(device_result, "status_message", ""))
    return DeviceResult(name, exec_status(device_result.status), message, tuple(results))
