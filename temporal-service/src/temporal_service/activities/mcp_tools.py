"""PlatformTools over the platform's own MCP servers (Catalyst Center, ServiceNow).

The worker is an MCP client like any agent: for each server it sends the requester's token
exchanged for that server (RFC 8693, naming the worker as actor); the server authenticates
it, asks the policy about the person and the worker, and writes the audit event.
The servers are stateless (JSON answers): each call is one pooled POST, with no session.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, Unpack

import httpx
from temporalio import activity

from mcp_common.client import McpCallError, McpClient
from mcp_common.errors import AuthenticationError, UpstreamError
from mcp_common.observability import get_logger

from ..models import ChangeRecord, DeployOutcome
from .platform import (
    ChangeSpec,
    ChangeUpdate,
    DeploySpec,
    DeviceHealthInfo,
    DeviceInfo,
    PreviewInfo,
    TemplateInfo,
    ToolCallFailed,
)

__all__ = ["McpPlatformTools", "TokenSource", "is_transient"]

_log = get_logger(__name__)
# Tool errors worth retrying: the backend or the server was briefly unavailable.
_TRANSIENT = re.compile(
    r"returned HTTP (5\d\d|429)|answered HTTP (5\d\d|429)|timed out|did not complete within"
    r"|unreachable|connection (error|failed)|circuit|rate limit|internal error|temporarily",
    re.IGNORECASE,
)
# McpCallError kinds where trying again may help (a refused token is dropped first).
_RETRYABLE = frozenset(
    {"unavailable", "timeout", "rate_limited", "upstream_error", "protocol", "unauthorized"}
)
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9-]")  # servers take plain X-Request-IDs only
_APPROVAL = {"not yet requested": "not requested", "no longer required": "not required"}
_HEALTH_PAGE = 500


def is_transient(message: str) -> bool:
    """True when a tool error says the failure may pass (everything else is a refusal)."""
    return bool(_TRANSIENT.search(message))


class TokenSource(Protocol):
    """Where the worker's tokens come from (`workload_token.DelegatedTokens`)."""

    async def token(self, on_behalf_of: str, resource: str) -> str:
        """A live token acting for this person, meant for the server at `resource`."""
        ...

    def invalidate(self, on_behalf_of: str, resource: str) -> None:
        """Drop a token the server refused."""
        ...


def _request_id() -> str | None:
    """Workflow, activity and attempt: one deployment's lines on every server share a prefix."""
    if not activity.in_activity():
        return None
    info = activity.info()
    raw = f"{info.workflow_id}-{info.activity_type}-attempt{info.attempt}"
    return _UNSAFE_ID.sub("-", raw)[:128]


def _change(data: Mapping[str, Any], *, created: bool = True) -> ChangeRecord:
    approval = str(data.get("approval") or "not requested").lower()
    return ChangeRecord(
        sys_id=str(data.get("sys_id") or ""),
        number=str(data.get("number") or ""),
        state=str(data.get("state") or "").lower(),
        approval=_APPROVAL.get(approval, approval),
        created=bool(data.get("created", created)),
    )


class McpPlatformTools:
    """PlatformTools calling the MCP servers with workload tokens, over pooled connections."""

    def __init__(
        self,
        *,
        catalyst_center_url: str,
        servicenow_url: str,
        tokens: TokenSource,
        timeout: float = 60.0,
        deploy_timeout: float = 900.0,
        catalyst_center_resource: str | None = None,
        servicenow_resource: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        for name, url in (
            ("catalyst_center_url", catalyst_center_url),
            ("servicenow_url", servicenow_url),
        ):
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"{name} must be an http(s) URL, got {url!r}")
        if timeout <= 0 or deploy_timeout <= 0:
            raise ValueError("timeouts must be positive")
        self._tokens = tokens
        # `transport`: a test double's (default: each client's own aiohttp pool).
        self._cc = McpClient(
            "catalyst-center", catalyst_center_url, timeout=timeout, transport=transport
        )
        self._sn = McpClient("servicenow", servicenow_url, timeout=timeout, transport=transport)
        # The deploy call waits for the devices: its own pool, with its own (long) read timeout.
        self._deploy = McpClient(
            "catalyst-center", catalyst_center_url, timeout=deploy_timeout, transport=transport
        )
        # Each server's resource URI (RFC 8707): the `aud` it accepts. The URL called, unless
        # the server is reached under another name than it advertises (a load balancer).
        self._resources = {
            "catalyst-center": catalyst_center_resource or catalyst_center_url,
            "servicenow": servicenow_resource or servicenow_url,
        }

    async def aclose(self) -> None:
        """Close the connection pools."""
        for client in (self._cc, self._sn, self._deploy):
            await client.aclose()

    async def _call(
        self, client: McpClient, tool: str, arguments: Mapping[str, Any], *, on_behalf_of: str
    ) -> dict[str, Any]:
        resource = self._resources[client.name]
        try:
            token = await self._tokens.token(on_behalf_of, resource)
        except AuthenticationError as exc:
            raise ToolCallFailed(tool, str(exc), retryable=False) from None
        except UpstreamError as exc:
            raise ToolCallFailed(tool, str(exc), retryable=True) from None
        try:
            result = await client.call_tool(tool, arguments, token, request_id=_request_id())
        except McpCallError as exc:
            raise self._failed(tool, exc, on_behalf_of, resource) from None
        structured = result.structured
        return dict(structured) if isinstance(structured, dict) else {}

    def _failed(
        self, tool: str, exc: McpCallError, on_behalf_of: str, resource: str
    ) -> ToolCallFailed:
        """Transport trouble is retried (the activity's retry policy bounds it); refusals not."""
        message = str(exc)  # McpCallError texts are safe: never a token
        if exc.kind == "tool_error":
            return ToolCallFailed(tool, message, retryable=is_transient(message))
        if exc.kind == "unauthorized":
            self._tokens.invalidate(on_behalf_of, resource)  # revoked early: exchange again
        if exc.kind in _RETRYABLE:
            _log.warning("MCP call failed", extra={"tool_name": tool, "error.type": exc.kind})
        return ToolCallFailed(tool, message, retryable=exc.kind in _RETRYABLE)

    async def get_template(self, template_id: str, *, on_behalf_of: str) -> TemplateInfo:
        """The template and its committed versions."""
        data = await self._call(
            self._cc,
            "get_template",
            {"template_id": template_id, "include_content": False},
            on_behalf_of=on_behalf_of,
        )
        versions = {
            int(v["version"]): str(v["id"])
            for v in data.get("versions") or []
            if isinstance(v, dict) and isinstance(v.get("version"), int) and v.get("id")
        }
        return TemplateInfo(
            str(data.get("id") or template_id), str(data.get("name") or ""), versions
        )

    async def get_device(self, device_id: str, *, on_behalf_of: str) -> DeviceInfo:
        """One device from the inventory."""
        data = await self._call(
            self._cc, "get_device", {"device_id": device_id}, on_behalf_of=on_behalf_of
        )
        return DeviceInfo(
            device_id=str(data.get("id") or device_id),
            hostname=str(data.get("hostname") or device_id),
            ip_address=str(data.get("management_ip") or ""),
            reachable=str(data.get("reachability") or "").lower() == "reachable",
        )

    async def device_health(self, *, on_behalf_of: str) -> Sequence[DeviceHealthInfo]:
        """Every monitored device's health, page by page."""
        found: list[DeviceHealthInfo] = []
        offset: int | None = 1
        while offset is not None:
            data = await self._call(
                self._cc,
                "get_device_health",
                {"offset": offset, "limit": _HEALTH_PAGE},
                on_behalf_of=on_behalf_of,
            )
            for d in data.get("devices") or []:
                found.append(
                    DeviceHealthInfo(
                        hostname=str(d.get("name") or ""),
                        ip_address=str(d.get("ip_address") or ""),
                        health=d.get("health"),
                        reachable=str(d.get("reachability") or "").upper() != "UNREACHABLE",
                    )
                )
            next_offset = data.get("next_offset")
            offset = next_offset if isinstance(next_offset, int) and next_offset > offset else None
        return found

    async def preview_template(
        self, template_id: str, params: Mapping[str, Any], device_id: str, *, on_behalf_of: str
    ) -> PreviewInfo:
        """Render a template version for one device."""
        data = await self._call(
            self._cc,
            "preview_template",
            {"template_id": template_id, "params": dict(params), "device_id": device_id},
            on_behalf_of=on_behalf_of,
        )
        problems = tuple(str(p) for p in data.get("problems") or [])
        return PreviewInfo(bool(data.get("complete")), problems, str(data.get("cli") or ""))

    async def deploy_template(self, spec: DeploySpec, *, on_behalf_of: str) -> DeployOutcome:
        """Deploy and wait for the outcome on each device."""
        arguments: dict[str, Any] = {
            "template_id": spec.template_id,
            "device_ids": list(spec.device_ids),
            "params": dict(spec.params),
        }
        if spec.version is not None:
            arguments["version"] = spec.version
        if spec.change_number:
            arguments["change_number"] = spec.change_number
        data = await self._call(
            self._deploy, "deploy_template", arguments, on_behalf_of=on_behalf_of
        )
        failed = [
            str(d.get("hostname") or d.get("device_id"))
            for d in data.get("devices") or []
            if isinstance(d, dict) and d.get("status") != "SUCCESS"
        ]
        return DeployOutcome(
            status=str(data.get("status") or "FAILURE"),
            deployment_id=str(data.get("deployment_id") or ""),
            summary=str(data.get("summary") or ""),
            failed_devices=failed,
        )

    async def find_change(self, correlation_id: str, *, on_behalf_of: str) -> ChangeRecord | None:
        """The change carrying this correlation id, if any."""
        data = await self._call(
            self._sn,
            "search_changes",
            {"correlation_id": correlation_id, "limit": 1},
            on_behalf_of=on_behalf_of,
        )
        changes = data.get("changes") or []
        return _change(changes[0], created=False) if changes else None

    async def create_change(self, spec: ChangeSpec, *, on_behalf_of: str) -> ChangeRecord:
        """Create the normal change (the server also returns an existing one by correlation)."""
        arguments = {
            "short_description": spec.short_description,
            "description": spec.description,
            "implementation_plan": spec.implementation_plan,
            "backout_plan": spec.backout_plan,
            "test_plan": spec.test_plan,
            "justification": spec.justification,
            "risk": spec.risk,
            "configuration_items": list(spec.configuration_items),
            "planned_start": spec.planned_start,
            "planned_end": spec.planned_end,
            "assignment_group": spec.assignment_group,
            "correlation_id": spec.correlation_id,
            **spec.extra,
        }
        return _change(
            await self._call(self._sn, "create_change", arguments, on_behalf_of=on_behalf_of)
        )

    async def change_approvers(self, sys_id: str, *, on_behalf_of: str) -> list[str]:
        """Who approved the change (ServiceNow approval records): see ApprovalRecords."""
        data = await self._call(
            self._sn, "get_change_approvals", {"change": sys_id}, on_behalf_of=on_behalf_of
        )
        approvals = data.get("approvals") or []
        return [
            str(a["approver"])
            for a in approvals
            if isinstance(a, dict)
            and a.get("approver")
            and str(a.get("state")).lower() == "approved"
        ]

    async def get_change(self, sys_id: str, *, on_behalf_of: str) -> ChangeRecord:
        """Where a change stands."""
        return _change(
            await self._call(self._sn, "get_change", {"change": sys_id}, on_behalf_of=on_behalf_of)
        )

    async def update_change(
        self, sys_id: str, *, on_behalf_of: str, **update: Unpack[ChangeUpdate]
    ) -> ChangeRecord:
        """Move, annotate or close a change."""
        arguments = {"change": sys_id, **{k: v for k, v in update.items() if v}}
        return _change(
            await self._call(self._sn, "update_change", arguments, on_behalf_of=on_behalf_of)
        )
