"""Response bodies shaped like Catalyst Center's (`{"response": ..., "version": "1.0"}`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulator_kit import ErrorDialect, Fault, SimulatorError

__all__ = [
    "API_VERSION",
    "ApiError",
    "CatalystCenterErrors",
    "api_error",
    "auth_error",
    "found",
    "int_param",
    "ok",
    "read_json",
]

API_VERSION = "1.0"

_T = TypeVar("_T")

_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


class ApiError(SimulatorError):
    """Raised by handlers; turned into the Intent API error body by the app's handler."""


def ok(response: Any, status: int = 200, **extra: Any) -> JSONResponse:
    """The standard success envelope."""
    return JSONResponse({"response": response, "version": API_VERSION, **extra}, status)


def api_error(
    status: int,
    message: str,
    detail: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The Intent API error envelope: `{"response": {"errorCode", "message", "detail"}}`."""
    body = {
        "response": {
            "errorCode": _CODES.get(status, f"HTTP_{status}"),
            "message": message,
            "detail": detail or message,
        },
        "version": API_VERSION,
    }
    return JSONResponse(body, status, headers=dict(headers or {}))


class CatalystCenterErrors(ErrorDialect[ApiError]):
    """Every error in the Intent API envelope (`api_error`)."""

    error_type = ApiError

    def api_error(self, error: ApiError) -> Response:
        return api_error(error.status, error.message, error.detail, headers=error.headers)

    def http_error(self, request: Request, error: HTTPException) -> Response:
        messages = {404: "The requested resource was not found", 405: "Method not allowed"}
        message = messages.get(error.status_code, str(error.detail))
        return api_error(error.status_code, message, f"{request.method} {request.url.path}")

    def unexpected(self) -> Response:
        return api_error(500, "Internal server error", "An unexpected error occurred")

    def fault(self, fault: Fault, path: str) -> Response:
        status = fault.status or 500
        message = "Injected fault" if status != 429 else "Rate limit exceeded"
        detail = f"Simulated HTTP {status} for {path}"
        return api_error(status, message, detail, headers=fault.headers())

    def control_error(self, status: int, message: str, detail: str) -> Response:
        return api_error(status, message, detail)


def auth_error(message: str) -> JSONResponse:
    """401 as the platform's auth layer answers it: a flat `{"error": ...}` body."""
    return JSONResponse({"error": message, "message": message}, 401)


def found(value: _T | None, kind: str, ident: object) -> _T:
    """`value` when there is one, else ApiError(404) "<Kind> not found" (no `kind` with `ident`)."""
    if value is None:
        raise ApiError(404, f"{kind.capitalize()} not found", f"No {kind} with id {ident}")
    return value


def int_param(
    request: Request, name: str, default: int, *, minimum: int, maximum: int | None = None
) -> int:
    """An integer query parameter within bounds, else ApiError(400) naming it."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid value for '{name}': must be an integer") from None
    if value < minimum:
        raise ApiError(400, f"Invalid value for '{name}': must be >= {minimum}")
    if maximum is not None and value > maximum:
        raise ApiError(
            400,
            f"Invalid value for '{name}': must be <= {maximum}",
            f"{name}={value} exceeds the maximum of {maximum} records per request",
        )
    return value


async def read_json(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, else ApiError(400)."""
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, "Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return body
