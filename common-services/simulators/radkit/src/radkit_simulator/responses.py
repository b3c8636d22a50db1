"""Error bodies (`{"error": {"code", "message"}}`) and request-body parsing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulator_kit import ErrorDialect, Fault, SimulatorError

__all__ = ["CHALLENGE", "CODES", "RadkitError", "RadkitErrors", "error_response", "read_json"]

CHALLENGE = {"WWW-Authenticate": "Bearer"}
"""The challenge of a 401 for a missing or rejected session token (a bearer token)."""

CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


class RadkitError(SimulatorError):
    """Raised by handlers; the app turns it into an error body."""

    def __init__(self, status: int, message: str, code: str = "", **extra: Any) -> None:
        super().__init__(status, message)
        self.code = code or CODES.get(status, "ERROR")
        self.extra = extra


def error_response(
    status: int,
    message: str,
    code: str = "",
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """The simulator's error body."""
    body = {"code": code or CODES.get(status, "ERROR"), "message": message, **extra}
    return JSONResponse({"error": body}, status, headers=dict(headers or {}))


class RadkitErrors(ErrorDialect[RadkitError]):
    """Every error in the `{"error": {"code", "message"}}` body (`error_response`)."""

    error_type = RadkitError

    def api_error(self, error: RadkitError) -> Response:
        headers = CHALLENGE if error.status == 401 else None
        return error_response(
            error.status, error.message, error.code, headers=headers, **error.extra
        )

    def http_error(self, request: Request, error: HTTPException) -> Response:
        messages = {404: "no such resource", 405: "method not allowed"}
        return error_response(error.status_code, messages.get(error.status_code, str(error.detail)))

    def unexpected(self) -> Response:
        return error_response(500, "internal error")

    def fault(self, fault: Fault, path: str) -> Response:
        status = fault.status or 500
        message = f"simulated HTTP {status} for {path}"
        return error_response(status, message, headers=fault.headers())

    def control_error(self, status: int, message: str, detail: str) -> Response:
        return error_response(status, f"{message}: {detail}" if detail else message)


async def read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a 400."""
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        raise RadkitError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise RadkitError(400, "the body must be a JSON object")
    return body
