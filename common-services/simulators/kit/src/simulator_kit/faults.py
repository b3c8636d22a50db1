"""Injected faults: error statuses, Retry-After and delays for the next N matching requests."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from .responses import ApiError

__all__ = ["Fault", "parse_fault"]


@dataclass
class Fault:
    """Answer the next `count` requests under `path_prefix` with `status` (after `delay`)."""

    path_prefix: str
    status: int | None
    count: int
    retry_after: float | None = None
    delay: float = 0.0
    method: str | None = None

    def matches(self, method: str, path: str) -> bool:
        """True if this fault still applies to the request."""
        if self.count <= 0 or not path.startswith(self.path_prefix):
            return False
        return self.method is None or self.method == method

    def headers(self) -> dict[str, str]:
        """Retry-After (whole seconds, rounded up) when configured."""
        if self.retry_after is None:
            return {}
        return {"Retry-After": str(math.ceil(self.retry_after))}

    def public(self) -> dict[str, Any]:
        """A JSON view for the admin API."""
        return asdict(self)


def _number(body: dict[str, Any], name: str, default: float | None) -> float | None:
    value = body.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ApiError(400, f"'{name}' must be a non-negative number")
    return float(value)


def parse_fault(body: dict[str, Any]) -> Fault:
    """Validate a `POST /sandbox/faults` body."""
    prefix = body.get("path_prefix")
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise ApiError(400, "'path_prefix' must be a string starting with '/'")
    status = body.get("status")
    if status is not None and (not isinstance(status, int) or not 400 <= status <= 599):
        raise ApiError(400, "'status' must be an HTTP error status (400-599)")
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ApiError(400, "'count' must be an integer >= 1")
    delay = _number(body, "delay", 0.0) or 0.0
    if delay > 60:
        raise ApiError(400, "'delay' must be at most 60 seconds")
    if status is None and delay == 0:
        raise ApiError(400, "a fault needs a 'status', a 'delay', or both")
    method = body.get("method")
    if method is not None and not isinstance(method, str):
        raise ApiError(400, "'method' must be a string such as 'GET'")
    return Fault(prefix, status, count, _number(body, "retry_after", None), delay,
                 method.upper() if method else None)  # fmt: skip
