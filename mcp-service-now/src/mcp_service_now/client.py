"""ServiceNow REST client: Table API and Change Management API, Basic or OAuth, safe errors."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from mcp_common.errors import UpstreamError
from mcp_common.http import Endpoint, SecretBackedClient, json_body
from mcp_common.secrets import SecretStore

from .auth import Credentials, OAuthSession
from .errors import InvalidArgument, ServiceNowError, error_from_response

__all__ = ["CHANGE_API", "DEFAULT_SECRET_PATH", "Page", "Record", "ServiceNowClient"]

Record = dict[str, Any]
CHANGE_API = "/api/sn_chg_rest/v1/change"
DEFAULT_SECRET_PATH = "api/servicenow"  # a path in the SecretStore, not a secret
TABLE_API = "/api/now/table"
# Every field as {"value", "display_value"}: labels for people, values for follow-up calls.
_SHAPE = {"sysparm_display_value": "all", "sysparm_exclude_reference_link": "true"}
_SYS_ID = re.compile(r"[0-9a-f]{32}")
_TABLE = re.compile(r"[a-z][a-z0-9_]*")
MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: the records, the total count (X-Total-Count) and where it starts."""

    records: list[Record]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        """The offset of the next page, or None on the last one."""
        following = self.offset + len(self.records)
        return following if self.records and following < self.total else None


def _sys_id(value: str) -> str:
    if not _SYS_ID.fullmatch(value):
        raise InvalidArgument(f"'{value[:64]}' is not a sys_id (32 lowercase hex characters)")
    return value


def _table(name: str) -> str:
    if not _TABLE.fullmatch(name):
        raise ValueError(f"invalid table name {name!r}")
    return name


class ServiceNowClient(SecretBackedClient[Credentials]):
    """Calls one ServiceNow instance with the credentials found at `secret_path`.

    The pooled HTTP client is re-built only when the instance URL or TLS verification change;
    OAuth tokens are renewed before expiry and once after a 401.
    """

    BACKEND = "servicenow"
    SECRET_PATH = DEFAULT_SECRET_PATH
    TIMEOUT = 15.0
    HEADERS = {"Accept": "application/json"}

    def __init__(
        self, secrets: SecretStore, *, oauth: OAuthSession | None = None, **options: Any
    ) -> None:
        """`options`: those of SecretBackedClient (secret_path, timeout, retry, ...)."""
        super().__init__(secrets, **options)
        self.oauth = oauth or OAuthSession(backend=self.backend_name)

    def parse_secret(self, secret: Mapping[str, Any]) -> Credentials:
        """{instance_url, username, password, client_id?, client_secret?, verify_tls?}."""
        return Credentials.from_secret(secret, self.secret_path)

    def endpoint(self, config: Credentials) -> Endpoint:
        """The instance URL and TLS verification."""
        return config.instance_url, config.verify_tls

    async def credentials(self) -> Credentials:
        """The current credentials (the store caches them; rotation is picked up)."""
        return await self.config()

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """One call with authentication; a 401 on an OAuth token renews it and tries once more."""
        http, creds = await self.connection()
        for attempt in (1, 2):
            headers: dict[str, str] = {}
            auth: httpx.Auth | None = None
            token = ""
            if creds.oauth:
                token = await self.oauth.token(http, creds)
                headers["Authorization"] = f"Bearer {token}"
            else:
                auth = httpx.BasicAuth(creds.username, creds.password)
            response = await http.request(
                method, path, params=params, json=json, headers=headers, auth=auth
            )
            if response.status_code == 401 and creds.oauth and attempt == 1:
                # Expired or revoked early: the request was not processed, so resend it.
                self.oauth.invalidate(token)
                continue
            break
        if response.status_code == 401:
            error = error_from_response(response)
            raise ServiceNowError(
                401, error.message,
                f"ServiceNow refused the platform's credentials (secret '{self.secret_path}')",
            )  # fmt: skip
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    def _result(self, response: httpx.Response) -> Any:
        body = json_body(response, self.backend_name)
        if not isinstance(body, dict) or "result" not in body:
            raise UpstreamError(
                f"{self.backend_name} returned a response without 'result'",
                backend=self.backend_name, status=response.status_code,
            )  # fmt: skip
        return body["result"]

    def _record(self, response: httpx.Response) -> Record:
        result = self._result(response)
        if not isinstance(result, dict):
            raise UpstreamError(
                f"{self.backend_name} returned no record", backend=self.backend_name
            )
        return result

    async def list_records(
        self,
        table: str,
        *,
        query: str = "",
        fields: Sequence[str] | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Page:
        """`GET /api/now/table/{table}` with sysparm_query, fields and paging."""
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            raise InvalidArgument(f"limit must be 1..{MAX_LIMIT} and offset >= 0")
        params = {**_SHAPE, "sysparm_limit": str(limit), "sysparm_offset": str(offset)}
        if query:
            params["sysparm_query"] = query
        if fields:
            params["sysparm_fields"] = ",".join(fields)
        response = await self._send("GET", f"{TABLE_API}/{_table(table)}", params=params)
        records = self._result(response)
        if not isinstance(records, list):
            raise UpstreamError(
                f"{self.backend_name} returned no record list", backend=self.backend_name
            )
        try:
            total = int(response.headers.get("X-Total-Count", ""))
        except ValueError:
            total = offset + len(records)
        return Page([r for r in records if isinstance(r, dict)], total, offset, limit)

    async def get_record(
        self, table: str, sys_id: str, *, fields: Sequence[str] | None = None
    ) -> Record:
        """`GET /api/now/table/{table}/{sys_id}`; ServiceNowNotFound when absent."""
        params = dict(_SHAPE)
        if fields:
            params["sysparm_fields"] = ",".join(fields)
        path = f"{TABLE_API}/{_table(table)}/{_sys_id(sys_id)}"
        return self._record(await self._send("GET", path, params=params))

    async def create_record(self, table: str, values: Mapping[str, Any]) -> Record:
        """`POST /api/now/table/{table}`; the created record."""
        path = f"{TABLE_API}/{_table(table)}"
        return self._record(await self._send("POST", path, params=_SHAPE, json=values))

    async def update_record(self, table: str, sys_id: str, values: Mapping[str, Any]) -> Record:
        """`PATCH /api/now/table/{table}/{sys_id}`; the updated record."""
        path = f"{TABLE_API}/{_table(table)}/{_sys_id(sys_id)}"
        return self._record(await self._send("PATCH", path, params=_SHAPE, json=values))

    async def create_normal_change(self, values: Mapping[str, Any]) -> Record:
        """`POST /api/sn_chg_rest/v1/change/normal`: a normal change in state New."""
        return self._record(await self._send("POST", f"{CHANGE_API}/normal", json=values))

    async def update_change(self, sys_id: str, values: Mapping[str, Any]) -> Record:
        """`PATCH /api/sn_chg_rest/v1/change/{sys_id}`: fields and state transitions."""
        path = f"{CHANGE_API}/{_sys_id(sys_id)}"
        return self._record(await self._send("PATCH", path, json=values))
