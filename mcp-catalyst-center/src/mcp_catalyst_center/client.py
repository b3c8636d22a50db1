"""Catalyst Center Intent API client: token login, one re-login on 401, task polling, paging."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

from mcp_common import SecretStore, UpstreamError, get_logger
from mcp_common.http import (
    Endpoint,
    SecretBackedClient,
    SessionToken,
    json_body,
    positive_seconds,
    raise_for_status,
)

from .config import BackendConfig, backend_config
from .errors import BACKEND, InvalidArgument, TaskFailed, TaskTimedOut
from .models.common import as_int

__all__ = [
    "AUTH_PATH",
    "DEFAULT_SECRET_PATH",
    "MAX_LIMIT",
    "TASK_PATH",
    "CatalystCenterClient",
    "Record",
    "as_records",
    "not_found",
    "page_params",
    "path_id",
    "unwrap",
]

AUTH_PATH = "/dna/system/api/v1/auth/token"
DEFAULT_SECRET_PATH = "api/catalyst-center"
V1 = "/dna/intent/api/v1"
TASK_PATH = f"{V1}/task/{{task_id}}"
TEMPLATES = f"{V1}/template-programmer/template"
DEPLOY_V2 = "/dna/intent/api/v2/template-programmer/template/deploy"
COMMAND_RUNNER = f"{V1}/network-device-poller/cli/read-request"
MAX_LIMIT = 500  # Catalyst Center's largest page

Record = dict[str, Any]
T = TypeVar("T")
_log = get_logger(__name__)
_PATH_SAFE = re.compile(r"^[A-Za-z0-9._-]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def path_id(value: str, what: str) -> str:
    """An identifier safe to put in a URL path."""
    if not value or len(value) > 128 or not _PATH_SAFE.match(value):
        raise InvalidArgument(f"{what} {value[:40]!r} is not a valid Catalyst Center id")
    return value


def page_params(offset: int, limit: int) -> dict[str, int]:
    """Catalyst Center paging: offset counts from 1, 1 <= limit <= 500."""
    if offset < 1:
        raise InvalidArgument(f"offset counts from 1, got {offset}")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidArgument(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    return {"offset": offset, "limit": limit}


def unwrap(body: Any) -> Any:
    """The `response` of the Intent API envelope, or the body of APIs without one."""
    if isinstance(body, dict) and "response" in body:
        return body["response"]
    return body


def as_records(value: Any) -> list[Record]:
    """The dict entries of a list answer (anything else is dropped)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _site_names(record: Record) -> set[str]:
    names = (record.get("name"), record.get("nameHierarchy"), record.get("siteNameHierarchy"))
    return {str(n).lower() for n in names if n}


def _record(value: Any, what: str) -> Record:
    if not isinstance(value, dict):
        raise UpstreamError(f"Catalyst Center returned a malformed {what}", backend=BACKEND)
    return value


@contextmanager
def not_found(what: str) -> Iterator[None]:
    """Turn a backend 404 into a message naming what was not found."""
    try:
        yield
    except UpstreamError as exc:
        if exc.status == 404:
            message = f"{what} was not found in Catalyst Center"
            raise UpstreamError(message, backend=BACKEND, status=404, kind="http") from None
        raise


class CatalystCenterClient(SecretBackedClient[BackendConfig]):
    """Calls the Intent API with credentials from the SecretStore; no MCP here.

    The typed methods below know the API's paths, its `{"response": ...}` envelope and its
    paging; `get`, `post` and `put` are the raw calls they are made of.
    """

    BACKEND = BACKEND
    SECRET_PATH = DEFAULT_SECRET_PATH
    TIMEOUT = 30.0
    SETTINGS_OPTIONS = ("task_poll_interval", "task_timeout")

    def __init__(
        self,
        secrets: SecretStore,
        *,
        task_poll_interval: float = 1.0,
        task_timeout: float = 120.0,
        **options: Any,
    ) -> None:
        """`options`: those of SecretBackedClient (secret_path, timeout, retry, ...)."""
        super().__init__(secrets, **options)
        self.task_poll_interval = positive_seconds("task_poll_interval", task_poll_interval)
        self.task_timeout = positive_seconds("task_timeout", task_timeout)
        self._session = SessionToken(
            backend=BACKEND, rejected="Catalyst Center rejected a freshly issued token"
        )

    def parse_secret(self, secret: Mapping[str, Any]) -> BackendConfig:
        """{base_url, username, password, verify_tls, ca_bundle?}, validated."""
        return backend_config(secret, self.secret_path)

    def endpoint(self, config: BackendConfig) -> Endpoint:
        """The base URL and TLS verification (a flag or a CA bundle file)."""
        return config.connection

    def reconnected(self, config: BackendConfig) -> None:
        """A token belongs to the old endpoint: log in again."""
        self._session.forget()

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
        http, config = await self.connection()
        response = await self._session.send(
            lambda token: self._send(http, method, path, token, params, json),
            lambda: self._login(http, config),
        )
        raise_for_status(response, BACKEND)
        return json_body(response, BACKEND)

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

    # --- authentication -----------------------------------------------------------------
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
        body = json_body(response, BACKEND)
        token = body.get("Token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise UpstreamError("Catalyst Center login returned no token", backend=BACKEND)
        _log.info(
            "logged in to Catalyst Center",
            extra={"event.action": "upstream.login", "backend": BACKEND},
        )
        return token

    # --- inventory ----------------------------------------------------------------------
    async def list_devices(
        self, filters: Mapping[str, Any], *, offset: int, limit: int
    ) -> tuple[list[Record], int | None]:
        """One page of `network-device` matching `filters`, and how many match in all."""
        paging = page_params(offset, limit)
        # Both at once; every outcome is collected so no failure goes unobserved.
        outcomes: tuple[Any, ...] = await asyncio.gather(
            self.get(f"{V1}/network-device", {**filters, **paging}),
            self.get(f"{V1}/network-device/count", filters),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        page, total = outcomes
        return as_records(unwrap(page)), as_int(unwrap(total))

    async def get_device(self, device_id: str) -> Record:
        """One device's inventory record."""
        with not_found(f"device {device_id}"):
            body = await self.get(f"{V1}/network-device/{path_id(device_id, 'device id')}")
        return _record(unwrap(body), "device")

    async def device_interfaces(self, device_id: str) -> list[Record]:
        """A device's interfaces."""
        with not_found(f"device {device_id}"):
            path = f"{V1}/interface/network-device/{path_id(device_id, 'device id')}"
            return as_records(unwrap(await self.get(path)))

    async def device_config(self, device_id: str) -> str:
        """A device's running configuration, as Catalyst Center returns it (not masked)."""
        with not_found(f"device {device_id}"):
            body = await self.get(f"{V1}/network-device/{path_id(device_id, 'device id')}/config")
        text = unwrap(body)
        if not isinstance(text, str):
            raise UpstreamError("Catalyst Center returned a malformed config", backend=BACKEND)
        return text

    async def list_sites(
        self,
        *,
        name: str | None = None,
        site_type: str | None = None,
        offset: int = 1,
        limit: int = MAX_LIMIT,
    ) -> list[Record]:
        """Sites by name (or hierarchy, when it holds a '/') and type, one page."""
        params: dict[str, Any] = dict(page_params(offset, limit))
        if name:
            params["nameHierarchy" if "/" in name else "name"] = name
        if site_type:
            params["type"] = site_type
        return as_records(unwrap(await self.get(f"{V1}/sites", params)))

    async def site_id(self, site: str) -> str:
        """A site id from an id, a name ("Paris-HQ") or a hierarchy ("Global/EMEA/Paris-HQ")."""
        site = site.strip()
        if _UUID.match(site):
            return site
        key = "nameHierarchy" if "/" in site else "name"
        records = as_records(unwrap(await self.get(f"{V1}/sites", {key: site})))
        matches = [r for r in records if site.lower() in _site_names(r)]
        if not matches:
            raise InvalidArgument(f"no site is named {site!r}; list_sites shows the site names")
        if len(matches) > 1:
            names = ", ".join(sorted(str(r.get("nameHierarchy") or r.get("name")) for r in matches))
            raise InvalidArgument(f"several sites are named {site!r} ({names}); give the hierarchy")
        return str(matches[0]["id"])

    async def site_device_ips(self, site_id: str) -> list[str]:
        """Management IPs of the devices in a site and its children (via device health)."""
        ips: list[str] = []
        offset = 1
        while True:
            page, _ = await self.device_health({"siteId": site_id}, offset=offset, limit=MAX_LIMIT)
            ips += [str(r["ipAddress"]) for r in page if r.get("ipAddress")]
            if len(page) < MAX_LIMIT:
                return ips
            if len(ips) >= MAX_LIMIT:
                raise InvalidArgument(
                    f"the site holds more than {MAX_LIMIT} devices; choose a smaller site or "
                    "filter by hostname or platform instead"
                )
            offset += MAX_LIMIT

    # --- assurance ----------------------------------------------------------------------
    async def device_health(
        self, filters: Mapping[str, Any], *, offset: int, limit: int
    ) -> tuple[list[Record], int | None]:
        """One page of device health records, and the total count when the API gives it."""
        body = await self.get(f"{V1}/device-health", {**page_params(offset, limit), **filters})
        total = as_int(body.get("totalCount")) if isinstance(body, dict) else None
        return as_records(unwrap(body)), total

    async def network_health(self) -> Record:
        """The network's overall health (the body itself, it has no envelope)."""
        return _record(await self.get(f"{V1}/network-health"), "network health")

    async def issues(self, filters: Mapping[str, Any]) -> list[Record]:
        """Assurance issues matching `filters` (the API does not page them)."""
        return as_records(unwrap(await self.get(f"{V1}/issues", filters)))

    # --- command runner -----------------------------------------------------------------
    async def run_read_commands(self, commands: list[str], device_ids: list[str]) -> str:
        """Start read-only commands on devices; the id of the task running them."""
        body = {"commands": commands, "deviceUuids": device_ids}
        accepted = unwrap(await self.post(COMMAND_RUNNER, body))
        task_id = str(accepted.get("taskId") or "") if isinstance(accepted, dict) else ""
        if not task_id:
            raise UpstreamError("the command runner answered without a task id", backend=BACKEND)
        return task_id

    async def file_records(self, file_id: str) -> list[Record]:
        """A result file (e.g. the command runner's outputs) as a list of records."""
        return as_records(await self.get(f"{V1}/file/{path_id(file_id, 'file id')}"))

    # --- templates ----------------------------------------------------------------------
    async def templates(self, project: str | None = None) -> list[Record]:
        """The template catalog, or one project's part of it."""
        params = {"projectNames": project} if project else None
        return as_records(unwrap(await self.get(TEMPLATES, params)))

    async def template(self, template_id: str) -> Record:
        """One template (or one version of it) with its body."""
        with not_found(f"template {template_id}"):
            body = await self.get(f"{TEMPLATES}/{path_id(template_id, 'template id')}")
        return _record(unwrap(body), "template")

    async def preview_template(self, body: Mapping[str, Any]) -> Record:
        """Render a template without deploying it."""
        with not_found(f"template {body.get('templateId')}"):
            answer = unwrap(await self.put(f"{TEMPLATES}/preview", body))
        return _record(answer, "preview")

    async def deploy_template(self, body: Mapping[str, Any]) -> str:
        """Start a deployment (v2 API); the id of the task running it."""
        with not_found(f"template {body.get('templateId')}"):
            accepted = unwrap(await self.post(DEPLOY_V2, body))
        task_id = str(accepted.get("taskId") or "") if isinstance(accepted, dict) else ""
        if not task_id:
            raise UpstreamError(
                "Catalyst Center accepted the deployment without a task id", backend=BACKEND
            )
        return task_id

    async def deployment_status(self, deployment_id: str) -> Record:
        """Where a deployment stands, device by device."""
        path = f"{TEMPLATES}/deploy/status/{path_id(deployment_id, 'deployment id')}"
        return _record(unwrap(await self.get(path)), "deployment")

    # --- asynchronous operations --------------------------------------------------------
    async def get_task(self, task_id: str) -> dict[str, Any]:
        """One look at a task (`response` of GET /task/{id})."""
        body = await self.get(TASK_PATH.format(task_id=path_id(task_id, "task id")))
        task = body.get("response") if isinstance(body, dict) else None
        if not isinstance(task, dict):
            raise UpstreamError("Catalyst Center returned a malformed task", backend=BACKEND)
        return task

    async def wait_for_task(
        self,
        task_id: str,
        *,
        on_poll: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    ) -> dict[str, Any]:
        """Poll a task until it has an endTime; TaskFailed with its failureReason on isError.

        `on_poll`, when given, sees every look at the task (for progress).
        """
        task = await self.poll(
            lambda: self.get_task(task_id),
            lambda t: t.get("endTime") is not None or bool(t.get("isError")),
            f"task {task_id}",
            hint=f"check it later with get_task(task_id='{task_id}')",
            on_poll=on_poll,
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
        on_poll: Callable[[T], Awaitable[None]] | None = None,
    ) -> T:
        """Fetch until `done`, every `task_poll_interval` s, until `task_timeout` s have passed.

        `on_poll`, when given, sees every value fetched (for progress).
        """
        deadline = time.monotonic() + self.task_timeout
        while True:
            value = await fetch()
            if on_poll is not None:
                await on_poll(value)
            if done(value):
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TaskTimedOut(what, self.task_timeout, hint)
            await asyncio.sleep(min(self.task_poll_interval, remaining))

    async def aclose(self) -> None:
        """Close the connection pools."""
        self._session.forget()
        await super().aclose()
