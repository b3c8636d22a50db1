"""The change gate: a worker's deployment is decided on its change as ServiceNow has it.

The Temporal worker deploys for a person (RFC 8693: `sub` the person, `act.sub` the worker)
and names the change it implements. The workflow checks the CAB's approval before deploying,
but a holder of the worker's credential could name any change; so this server reads the
change itself, with its own read-only ServiceNow account, and hands the policy what it found
(`input.change`: number, state, approval, planned window; null when there is none). The policy
(common-services/opa/policy.rego, `change_ready`) allows the deploy only for that very change,
approved and in Implement. When ServiceNow cannot say, the call is refused (fail closed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import httpx

from mcp_common.auth import Principal
from mcp_common.errors import ConfigurationError, PlatformError, SecretError, UpstreamError
from mcp_common.http import (
    SecretBackedClient,
    json_body,
    raise_for_status,
    verify_tls_of,
)
from mcp_common.observability import PlatformMetrics
from mcp_common.secrets import SecretStore

from .settings import CatalystCenterSettings

__all__ = [
    "CHANGE_NUMBER",
    "GATED_ACTORS",
    "GATED_TOOLS",
    "ChangeGate",
    "ChangeLookup",
    "ChangeRecord",
    "ReadAccount",
    "ServiceNowChangeLookup",
    "change_gate",
]

# Who must show an approved change, for what: the worker's deployments (the policy's
# `change_gated` names the same).
GATED_ACTORS = frozenset({"temporal-worker"})
GATED_TOOLS = frozenset({"deploy_template"})
# Only a well-formed number is looked up: it goes into an encoded query, where `^` would
# start another condition.
CHANGE_NUMBER = re.compile(r"CHG[0-9]{4,12}")
CHANGE_TABLE = "/api/now/table/change_request"
FIELDS = ("number", "state", "approval", "start_date", "end_date")
# ServiceNow's change_request state values (the Table API's raw values) by name.
STATES = {
    "-5": "new",
    "-4": "assess",
    "-3": "authorize",
    "-2": "scheduled",
    "-1": "implement",
    "0": "review",
    "3": "closed",
    "4": "canceled",
}


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """A change request as the policy sees it: state by name ("implement"), approval as is."""

    number: str
    state: str
    approval: str
    start_date: str
    end_date: str

    def as_input(self) -> dict[str, str]:
        """The `input.change` document."""
        return asdict(self)


class ChangeLookup(Protocol):
    """Reads one change request by number; None when there is none."""

    async def change(self, number: str) -> ChangeRecord | None:
        """The change `number`; raise a PlatformError when it cannot be read."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


@dataclass(frozen=True, slots=True)
class ReadAccount:
    """The read-only ServiceNow account of this server (from its own Vault path)."""

    username: str
    password: str = ""
    verify_tls: bool = True

    def __repr__(self) -> str:
        return f"ReadAccount(username={self.username!r}, password='***')"


class ServiceNowChangeLookup(SecretBackedClient[ReadAccount]):
    """`ChangeLookup` over the Table API, with HTTP Basic and the account from the store."""

    BACKEND = "servicenow"
    TIMEOUT = 10.0
    HEADERS = {"Accept": "application/json"}

    def __init__(self, secrets: SecretStore, *, instance_url: str, **options: Any) -> None:
        super().__init__(secrets, **options)
        url = instance_url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError("the ServiceNow instance URL must be an http(s) URL")
        self.instance_url = url

    def parse_secret(self, secret: Mapping[str, Any]) -> ReadAccount:
        """{username, password, verify_tls?}; an error names the key at fault, never a value."""
        values = {}
        for key in ("username", "password"):
            value = secret.get(key)
            if not isinstance(value, str) or not value:
                raise ConfigurationError(f"secret '{self.secret_path}': '{key}' is missing")
            values[key] = value
        return ReadAccount(**values, verify_tls=verify_tls_of(secret, self.secret_path))

    def endpoint(self, config: ReadAccount) -> tuple[str, bool | str]:
        """The instance URL (a setting) and TLS verification (the secret's)."""
        return self.instance_url, config.verify_tls

    async def change(self, number: str) -> ChangeRecord | None:
        """GET the change by number, the fields the policy reads; None when there is none."""
        http, account = await self.connection()
        params = {
            "sysparm_query": f"number={number}",
            "sysparm_fields": ",".join(FIELDS),
            "sysparm_limit": "1",
            "sysparm_display_value": "false",
        }
        auth = httpx.BasicAuth(account.username, account.password)
        response = await http.get(CHANGE_TABLE, params=params, auth=auth)
        raise_for_status(response, self.backend_name)
        rows = json_body(response, self.backend_name, require_object=True).get("result")
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise UpstreamError(
                "servicenow returned a change list that is not a list of records",
                backend=self.backend_name,
                status=response.status_code,
            )
        if not rows:
            return None
        row = rows[0]
        text = {name: _text(row.get(name)) for name in FIELDS}
        state = STATES.get(text["state"], text["state"].lower())
        return ChangeRecord(**{**text, "state": state})


# How an UpstreamError without an HTTP status came about, in words.
_FAILURES = {
    "network": "unreachable",
    "timeout": "timed out",
    "circuit_open": "unreachable, circuit open",
    "unavailable": "no free connection",
}


def _text(value: Any) -> str:
    # A raw value is a string; a display-value pair {"value", "display_value"} gives its value.
    if isinstance(value, dict):
        value = value.get("value")
    return value if isinstance(value, str) else ""


class ChangeGate:
    """`PolicyFacts` of this server: for a gated deploy, the change it names (`change`)."""

    def __init__(self, lookup: ChangeLookup | None) -> None:
        # None: no ServiceNow configured, so every gated call is refused.
        self.lookup = lookup

    async def facts(
        self, principal: Principal, tool: str, arguments: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        """`{"change": {...}}` for a gated call naming a change ServiceNow has, else null."""
        if tool not in GATED_TOOLS or not GATED_ACTORS.intersection(principal.actors):
            return {"change": None}
        number = arguments.get("change_number")
        if not isinstance(number, str) or not CHANGE_NUMBER.fullmatch(number):
            return {"change": None}  # the policy refuses: no well-formed change named
        if self.lookup is None:
            raise ConfigurationError(
                f"change {number} cannot be checked: no ServiceNow is configured for the change "
                "gate (MCP_SERVICENOW_INSTANCE_URL)"
            )
        try:
            change = await self.lookup.change(number)
        except UpstreamError as exc:
            why = f"HTTP {exc.status}" if exc.status else _FAILURES.get(exc.kind, exc.kind)
            raise UpstreamError(
                f"change {number} cannot be checked in ServiceNow ({why})",
                backend=exc.backend,
                status=exc.status,
                kind=exc.kind,
            ) from None
        except SecretError:
            raise SecretError(
                f"change {number} cannot be checked: the ServiceNow read account is unavailable"
            ) from None
        except PlatformError as exc:
            raise ConfigurationError(f"change {number} cannot be checked: {exc}") from None
        return {"change": None if change is None else change.as_input()}

    async def aclose(self) -> None:
        """Close the lookup."""
        if self.lookup is not None:
            await self.lookup.aclose()


def change_gate(
    settings: CatalystCenterSettings, secrets: SecretStore, metrics: PlatformMetrics
) -> ChangeGate:
    """The gate over the ServiceNow of the settings (none configured: refuse every gated call)."""
    if settings.servicenow_instance_url is None:
        return ChangeGate(None)
    lookup = ServiceNowChangeLookup(
        secrets,
        instance_url=str(settings.servicenow_instance_url),
        secret_path=settings.servicenow_secret_path,
        timeout=settings.servicenow_timeout,
        retry=settings.retry_policy(),
        metrics=metrics,
    )
    return ChangeGate(lookup)
