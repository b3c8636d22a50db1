"""Errors of the ServiceNow server: ServiceNow's own refusals and inputs refused locally."""

from __future__ import annotations

import re
from typing import Any

import httpx

from mcp_common.errors import InvalidInput, PlatformError
from mcp_common.observability import redact_text

__all__ = [
    "InvalidArgument",
    "ServiceNowError",
    "ServiceNowNotFound",
    "UnsafeQuery",
    "error_from_response",
]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_MAX_TEXT = 300


class ServiceNowError(PlatformError):
    """ServiceNow refused a request (4xx); the message is ServiceNow's own, made safe."""

    def __init__(self, status: int, message: str, detail: str | None = None) -> None:
        self.status = status
        self.message = _clean(message) or "Request refused"
        self.detail = _clean(detail) or None
        text = f"ServiceNow answered HTTP {status}: {self.message}"
        if self.detail and self.detail != self.message:
            text += f" - {self.detail}"
        super().__init__(text)


class ServiceNowNotFound(ServiceNowError):
    """The record does not exist (or the integration user may not see it)."""


class InvalidArgument(InvalidInput, ValueError):
    """A tool argument was refused before any call to ServiceNow."""


class UnsafeQuery(InvalidArgument):
    """A filter value or query fragment could change the meaning of an encoded query."""


def _clean(text: str | None) -> str:
    """One line, no control characters, no credential-looking content, bounded length."""
    if not text:
        return ""
    flat = redact_text(" ".join(_CONTROL.sub(" ", text).split()))
    return flat if len(flat) <= _MAX_TEXT else flat[: _MAX_TEXT - 3] + "..."


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def error_from_response(response: httpx.Response) -> ServiceNowError:
    """The ServiceNowError for a 4xx answer, with ServiceNow's message and detail."""
    status = response.status_code
    body = _body(response)
    error = body.get("error")
    message: str | None = None
    detail: str | None = None
    if isinstance(error, dict):  # Table API: {"error": {"message", "detail"}, "status"}
        message = str(error.get("message") or "") or None
        detail = str(error.get("detail") or "") or None
    elif isinstance(error, str):  # OAuth: {"error", "error_description"}
        message = str(body.get("error_description") or error)
    message = message or httpx.codes.get_reason_phrase(status) or "Request refused"
    cls = ServiceNowNotFound if status == 404 else ServiceNowError
    return cls(status, message, detail)
