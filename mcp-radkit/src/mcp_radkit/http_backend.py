"""RadkitBackend over HTTP to a RADKit relay (the simulator's API in `radkit_simulator`).

Bearer session from `POST /api/login`, one new login on a 401, exec requests polled until
complete like the SDK's `.wait()`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from mcp_common import UpstreamError, get_logger
from mcp_common.http import SessionToken, json_body, positive_seconds, raise_for_status

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

__all__ = ["LOGIN_PATH", "HttpBackend"]

LOGIN_PATH = "/api/login"
_log = get_logger(__name__)


def _device_info(raw: Any) -> DeviceInfo:
    if not isinstance(raw, Mapping) or not raw.get("name"):
        raise UpstreamError("RADKit returned a malformed inventory entry", backend=BACKEND)
    attributes = raw.get("attributes") if isinstance(raw.get("attributes"), Mapping) else {}
    labels = raw.get("labels")
    labels = labels if isinstance(labels, list) else []
    return DeviceInfo(
        name=str(raw["name"]),
        host=str(raw.get("host") or ""),
        device_type=str(raw.get("device_type") or "UNKNOWN"),
        description=str(raw.get("description") or ""),
        labels=tuple(str(label) for label in labels),
        attributes={str(k): str(v) for k, v in (attributes or {}).items() if v is not None},
    )


def _device_result(name: str, raw: Any, commands: Sequence[str]) -> DeviceResult:
    entry = raw if isinstance(raw, Mapping) else {}
    outputs = entry.get("commands") if isinstance(entry.get("commands"), Mapping) else {}
    results = []
    for command in commands:
        one = (outputs or {}).get(command)
        if not isinstance(one, Mapping):
            results.append(CommandResult(command, "FAILURE", "", "no result for this command"))
            continue
        results.append(
            CommandResult(
                command,
                exec_status(one.get("status")),
                str(one.get("data") or ""),
                str(one.get("status_message") or ""),
            )
        )
    status = exec_status(entry.get("status")) if entry else "FAILURE"
    message = str(entry.get("status_message") or ("" if entry else "no result for this device"))
    return DeviceResult(name, status, message, tuple(results))


class HttpBackend(RadkitBackend):
    """The RADKit simulator's JSON API over a pooled client, as the secret's identity.

    The pool belongs to the caller (RadkitClient shares one per endpoint); `aclose` only ends
    the session.
    """

    def __init__(
        self,
        config: RadkitConfig,
        http: httpx.AsyncClient,
        *,
        poll_interval: float = 0.5,
        wait_margin: float = 10.0,
    ) -> None:
        if config.mode != "http":
            raise ValueError(f"HttpBackend needs an http-mode config, got mode {config.mode!r}")
        self.config = config
        self.poll_interval = positive_seconds("poll_interval", poll_interval)
        self.wait_margin = positive_seconds("wait_margin", wait_margin)
        self._service = f"/api/services/{quote(config.service_id, safe='')}"
        self._http = http
        self._session = SessionToken(
            backend=BACKEND, rejected="RADKit rejected a freshly issued session token"
        )

    # --- the contract -------------------------------------------------------------------
    async def ping(self) -> ServiceInfo:
        """GET the service's status."""
        body = await self._call("GET", self._service)
        size = body.get("inventory_size")
        return ServiceInfo(
            str(body.get("service_id") or self.config.service_id),
            str(body.get("status") or "UNKNOWN"),
            str(body.get("version") or ""),
            size if isinstance(size, int) else None,
        )

    async def inventory(self) -> list[DeviceInfo]:
        """GET the whole inventory."""
        body = await self._call("GET", f"{self._service}/inventory")
        devices = body.get("devices")
        if not isinstance(devices, list):
            raise UpstreamError("RADKit returned an inventory without devices", backend=BACKEND)
        return [_device_info(d) for d in devices]

    async def device(self, name: str) -> DeviceInfo:
        """GET one device (DeviceNotFound on 404)."""
        try:
            return _device_info(
                await self._call("GET", f"{self._service}/inventory/{quote(name, safe='')}")
            )
        except DeviceNotFound:
            raise DeviceNotFound([name]) from None

    async def exec(
        self, devices: Sequence[str], commands: Sequence[str], device_timeout: float
    ) -> ExecResult:
        """POST an exec request, then poll it until it is no longer PROCESSING."""
        body = {"devices": list(devices), "commands": list(commands), "timeout": device_timeout}
        accepted = await self._call("POST", f"{self._service}/exec", body)
        request_id = str(accepted.get("request_id") or "")
        if not request_id:
            raise UpstreamError("RADKit accepted the request without an id", backend=BACKEND)
        limit = device_timeout + self.wait_margin
        deadline = time.monotonic() + limit
        while True:
            view = await self._call("GET", f"/api/requests/{quote(request_id, safe='')}")
            status = view.get("status")
            if isinstance(status, str) and status != "PROCESSING":
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RequestTimedOut(request_id, limit)
            await asyncio.sleep(min(self.poll_interval, remaining))
        result = view.get("result") if isinstance(view.get("result"), Mapping) else {}
        found = tuple(_device_result(d, (result or {}).get(d), commands) for d in devices)
        return ExecResult(request_id, found)

    async def aclose(self) -> None:
        """Forget the session (the pool is closed by its owner)."""
        self._session.forget()

    # --- HTTP and session -----------------------------------------------------------------
    async def _call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        """Send with the session token; on 401 log in again once and resend."""
        response = await self._session.send(
            lambda token: self._send(method, path, token, body), self._login
        )
        if response.status_code == 404:
            self._not_found(response)
        raise_for_status(response, BACKEND)
        return _json_object(response)

    async def _send(self, method: str, path: str, token: str, body: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        return await self._http.request(method, path, json=body, headers=headers)

    def _not_found(self, response: httpx.Response) -> None:
        """404s that mean something: unknown devices, unknown service."""
        try:
            error = response.json().get("error") or {}
        except (ValueError, AttributeError):
            return
        if error.get("code") == "DEVICE_NOT_FOUND":
            raise DeviceNotFound([str(n) for n in error.get("unknown_devices") or []])
        if error.get("code") == "SERVICE_NOT_FOUND":
            raise UpstreamError(
                f"RADKit service '{self.config.service_id}' is unknown to the "
                "relay; check service_id in the secret",
                backend=BACKEND,
                status=404,
                kind="http",
            )

    async def _login(self) -> str:
        c = self.config
        body = {
            "service_id": c.service_id,
            "client_id": c.client_id,
            "client_secret": c.client_secret,
        }
        # A login has no side effect: safe to retry like a read.
        response = await self._http.post(LOGIN_PATH, json=body, extensions={"retry": True})
        if response.status_code in (401, 403):
            raise UpstreamError(
                f"RADKit login failed (HTTP {response.status_code}): the client "
                "credentials were rejected",
                backend=BACKEND,
                status=response.status_code,
                kind="http",
            )
        if response.status_code == 404:
            self._not_found(response)
        raise_for_status(response, BACKEND)
        token = _json_object(response).get("token")
        if not isinstance(token, str) or not token:
            raise UpstreamError("RADKit login returned no session token", backend=BACKEND)
        _log.info(
            "logged in to RADKit",
            extra={
                "event.action": "upstream.login",
                "backend": BACKEND,
                "radkit.service_id": c.service_id,
            },
        )
        return token


def _json_object(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = json_body(response, BACKEND, require_object=True)
    return body
