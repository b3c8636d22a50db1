"""Error bodies (`{"error": {"code", "message"}}`) and request-body parsing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from simulator_kit import SimulatorError

__all__ = ["CODES", "RadkitError", "error_response", "read_json"]

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


async def read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a 400."""
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        raise RadkitError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise RadkitError(400, "the body must be a JSON object")
    return body
