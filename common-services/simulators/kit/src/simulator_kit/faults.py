"""Injected faults: error statuses, Retry-After and delays for the next N matching requests.

One implementation for every simulator: the `/sandbox/faults` body is validated here, the
armed faults are consumed here (thread-safe), and each simulator only says how a faulted
answer looks in its own error envelope.
"""

from __future__ import annotations

import copy
import math
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from http import HTTPStatus
from typing import Any

__all__ = ["MAX_DELAY", "Fault", "FaultError", "Faults"]

MAX_DELAY = 60.0
_FIELDS = frozenset({"path_prefix", "status", "count", "retry_after", "delay", "method"})


class FaultError(ValueError):
    """An invalid fault definition (the admin route answers 400 with this message)."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(slots=True)
class Fault:
    """Answer `status` (after `delay` seconds) to the next `count` requests under `path_prefix`.

    `count=None` keeps the fault until cleared; `status=None` only delays the request;
    `method=None` matches every method.
    """

    path_prefix: str
    status: int | None = None
    count: int | None = 1
    retry_after: float | None = None
    delay: float = 0.0
    method: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.path_prefix, str) or not self.path_prefix.startswith("/"):
            raise FaultError("'path_prefix' must be a string starting with '/'")
        if self.status is not None and not (_is_int(self.status) and 400 <= self.status <= 599):
            raise FaultError("'status' must be an HTTP error status (400-599)")
        if self.count is not None and not (_is_int(self.count) and self.count >= 1):
            raise FaultError("'count' must be an integer >= 1 (or null: until cleared)")
        if self.retry_after is not None and not (
            _is_number(self.retry_after) and self.retry_after >= 0
        ):
            raise FaultError("'retry_after' must be a non-negative number")
        if not _is_number(self.delay) or not 0 <= self.delay <= MAX_DELAY:
            raise FaultError(f"'delay' must be a number of seconds in 0..{MAX_DELAY:g}")
        if self.status is None and self.delay == 0:
            raise FaultError("a fault needs a 'status', a 'delay', or both")
        if self.method is not None:
            if not isinstance(self.method, str):
                raise FaultError("'method' must be a string such as 'GET'")
            self.method = self.method.upper()

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Fault:
        """Validate a `POST /sandbox/faults` body; FaultError when it is not a valid fault."""
        unknown = set(body) - _FIELDS
        if unknown:
            raise FaultError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        if "path_prefix" not in body:
            raise FaultError("'path_prefix' must be a string starting with '/'")
        return cls(**body)

    def matches(self, method: str, path: str) -> bool:
        """True if this fault still applies to the request."""
        if self.count is not None and self.count <= 0:
            return False
        if not path.startswith(self.path_prefix):
            return False
        return self.method is None or self.method == method

    def phrase(self) -> str:
        """The reason phrase of the status it answers (500 when none is set), e.g. "Service
        Unavailable"; "Error" for a status HTTP does not name."""
        try:
            return HTTPStatus(self.status or 500).phrase
        except ValueError:
            return "Error"

    def headers(self) -> dict[str, str]:
        """Retry-After (whole seconds, rounded up) when configured."""
        if self.retry_after is None:
            return {}
        return {"Retry-After": str(math.ceil(self.retry_after))}

    def as_dict(self) -> dict[str, Any]:
        """The fault as JSON-ready data (the admin API's view)."""
        return asdict(self)


class Faults:
    """The armed faults of one simulator, consumed in the order they were added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.served = 0

    def add(self, fault: Fault) -> list[dict[str, Any]]:
        """Arm a fault; every pending fault, as JSON."""
        with self._lock:
            self._faults.append(fault)
            return [f.as_dict() for f in self._faults]

    def pending(self) -> list[dict[str, Any]]:
        """Every armed fault, as JSON."""
        with self._lock:
            return [f.as_dict() for f in self._faults]

    def clear(self) -> int:
        """Disarm every fault; how many were armed."""
        with self._lock:
            count = len(self._faults)
            self._faults.clear()
            return count

    def reset(self) -> None:
        """Disarm every fault and forget how many were served."""
        with self._lock:
            self._faults.clear()
            self.served = 0

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching the request (a copy), one of its count used up; or None."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.count is not None:
                        fault.count -= 1
                        if fault.count == 0:
                            self._faults.remove(fault)
                    self.served += 1
                    return copy.copy(fault)  # a snapshot: the armed one keeps counting
        return None
