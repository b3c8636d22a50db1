"""Catalyst Center Intent API client: token login, one re-login on 401, task polling, paging."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx

from mcp_common import SecretStore, UpstreamError, get_logger
from mcp_common.http import make_http_client, raise_for_status

from .config import BackendConfig, backend_config
from .errors import BACKEND, InvalidArgument, TaskFailed, TaskTimedOut

__all__ = ["AUTH_PATH", "DEFAULT_SECRET_PATH", "TASK_PATH", "CatalystCenterClient", "path_id"]

AUTH_PATH = "/dna/system/api/v1/auth/token"
DEFAULT_SECRET_PATH = "api/catalyst-center"
TASK_PATH = "/dna/intent/api/v1/task/{task_id}"

T = TypeVar("T")
_log = get_logger(__name__)
_PATH_SAFE = re.compile(r"^[A-Za-z0-9._-]+$")


def path_id(value: str, what: str) -> str:
    """An identifier safe to put in a URL path."""
    if not value or len(value) > 128 or not _PATH_SAFE.match(value):
        raise InvalidArgument(f"{what} {value[:40]!r} is not a valid Catalyst Center id")
    return value


class CatalystCenterClient:
    """Calls the Intent API with credentials from the SecretStore; no MCP here."""

    def __init__(
        self,
        secrets: SecretStore,
        *,
        secret_path: str = DEFAULT_SECRET_PATH,
        timeout: float = 30.0,
        retries: int = 3,
        task_poll_interval: float = 1.0,
        task_timeout: float = 120.0,
        metrics: object | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not secret_path:
            raise ValueError("secret_path must not be empty")
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        if retries < 0:
            raise ValueError(f"retries must be >= 0, got {retries}")
        if not task_poll_interval > 0:
            raise ValueError(f"task_poll_interval must be > 0 seconds, got {task_poll_interval}")
        if not task_timeout > 0:
            raise ValueError(f"task_timeout must be > 0 seconds, got {task_timeout}")
        self.secret_path = secret_path
        self.timeout = timeout
        self.retries = retries
        self.task_poll_interval = task_poll_interval
        self.task_timeout = task_timeout
        self._secrets = secrets
        self._metrics = metrics
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        self._connection: tuple[str, bool | str] | None = None
        self._retired: list[httpx.AsyncClient] = []
        self._token: str | None = None
        # Bumped at every login: a caller that saw generation g and got a 401 logs in again
        # only if nobody has done so since, so concurrent 401s cause a single login.
        self._generation = 0
        self._lock = asyncio.Lock()

    # --- HTTP ---------------------------------------------------------------------------
    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a JSON document."""
        return await self.request("GET", path, params=params)

    async def post(self, path: str, body: Any) -> Any:
        """POST a JSON body, return the JSON answer."""
        return await self.request("POST", path, json=body)

    async def put(self, path: str, body: Any) -> Any:
        """PUT a JSON body, return the JSON answer."""
        return await self.request("PUT", path, json=body)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send with the cached token; on 401 log in again once and resend."""
        http, config = await self._client()
        token, generation = await self._current_token(http, config)
        response = await self._send(http, method, path, token, params, json)
        if response.status_code == 401:
            token, _ = await self._login_after(http, config, generation)
            response = await self._send(http, method, path, token, params, json)
            if response.status_code == 401:
                raise UpstreamError(
                    "Catalyst Center rejected a freshly issued token (HTTP 401)",
                    backend=BACKEND,
                    status=401,
                    kind="http",
                )
        raise_for_status(response, BACKEND)
        return _decode(response)

    async def _send(
        self,
        http: httpx.AsyncClient,
        method: str,
        path: str,
        token: str,
        params: Mapping[str, Any] | None,
        json: Any,
    ) -> httpx.Response:
        headers = {"X-Auth-Token": token, "Accept": "application/json"}
        return await http.request(method, path, params=params, json=json, headers=headers)

    async def _client(self) -> tuple[httpx.AsyncClient, BackendConfig]:
        """The pooled client for the current secret, rebuilt when the URL or TLS change."""
        config = backend_config(await self._secrets.get(self.secret_path), self.secret_path)
        if self._http is None or self._connection != config.connection:
            if self._http is not None:
                # In-flight calls may still use it; it is closed with the client.
                self._retired.append(self._http)
                self._token = None
            self._http = make_http_client(
                BACKEND,
                base_url=config.base_url,
                timeout=self.timeout,
                retries=self.retries,
                verify=config.verify,
                metrics=self._metrics,
                transport=self._transport,
            )
            self._connection = config.connection
        return self._http, config

    # --- authentication -----------------------------------------------------------------
    async def _current_token(
        self, http: httpx.AsyncClient, config: BackendConfig
    ) -> tuple[str, int]:
        token, generation = self._token, self._generation
        if token is not None:
            return token, generation
        return await self._login_after(http, config, generation)

    async def _login_after(
        self, http: httpx.AsyncClient, config: BackendConfig, seen: int
    ) -> tuple[str, int]:
        """Log in unless another caller already did since generation `seen`."""
        async with self._lock:
            if self._token is not None and self._generation != seen:
                return self._token, self._generation
            self._token = await self._login(http, config)
            self._generation += 1
            return self._token, self._generation

    async def _login(self, http: httpx.AsyncClient, config: BackendConfig) -> str:
        auth = httpx.BasicAuth(config.username, config.password)
        # A login has no side effect: safe to retry like a read.
        response = await http.post(AUTH_PATH, auth=auth, extensions={"retry": True})
        if response.status_code in (401, 403):
            raise UpstreamError(
                f"Catalyst Center login failed (HTTP {response.status_code}): the credentials "
                f"at '{self.secret_path}' were rejected",
                backend=BACKEND,
                status=response.status_code,
                kind="http",
            )
        raise_for_status(response, BACKEND)
        body = _decode(response)
        token = body.get("Token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise UpstreamError("Catalyst Center login returned no token", backend=BACKEND)
        _log.info(
            "logged in to Catalyst Center",
            extra={"event.action": "upstream.login", "backend": BACKEND},
        )
        return token

    # --- asynchronous operations --------------------------------------------------------
    async def get_task(self, task_id: str) -> dict[str, Any]:
        """One look at a task (`response` of GET /task/{id})."""
        body = await self.get(TASK_PATH.format(task_id=path_id(task_id, "task id")))
        task = body.get("response") if isinstance(body, dict) else None
        if not isinstance(task, dict):
            raise UpstreamError("Catalyst Center returned a malformed task", backend=BACKEND)
        return task

    async def wait_for_task(self, task_id: str) -> dict[str, Any]:
        """Poll a task until it has an endTime; TaskFailed with its failureReason on isError."""
        task = await self.poll(
            lambda: self.get_task(task_id),
            lambda t: t.get("endTime") is not None or bool(t.get("isError")),
            f"task {task_id}",
            hint=f"check it later with get_task(task_id='{task_id}')",
        )
        if task.get("isError"):
            reason = task.get("failureReason") or task.get("progress") or ""
            raise TaskFailed(task_id, str(reason))
        return task

    async def poll(
        self,
        fetch: Callable[[], Awaitable[T]],
        done: Callable[[T], bool],
        what: str,
        *,
        hint: str = "",
    ) -> T:
        """Fetch until `done`, every `task_poll_interval` s, until `task_timeout` s have passed."""
        deadline = time.monotonic() + self.task_timeout
        while True:
            value = await fetch()
            if done(value):
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TaskTimedOut(what, self.task_timeout, hint)
            await asyncio.sleep(min(self.task_poll_interval, remaining))

    async def aclose(self) -> None:
        """Close the connection pools."""
        clients = [*self._retired, *([self._http] if self._http is not None else [])]
        self._http, self._connection, self._retired, self._token = None, None, [], None
        for client in clients:
            await client.aclose()


def _decode(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise UpstreamError(
            f"Catalyst Center answered HTTP {response.status_code} with a body that is not JSON",
            backend=BACKEND,
            status=response.status_code,
        ) from None
