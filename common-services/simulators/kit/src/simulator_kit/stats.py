"""Fault injection (status, Retry-After, delay) and request statistics for the backend routes."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from http import HTTPStatus

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["Fault", "FaultMiddleware", "Faults", "Stats"]

_SYS_ID_SEGMENT = re.compile(r"/[0-9a-f]{32}(?=/|$)")
_MAX_DELAY = 60.0


@dataclass(slots=True)
class Fault:
    """Answer `status` (after `delay` seconds) to the next `count` matching requests.

    `count=None` keeps the fault until cleared; `status=None` only delays the request.
    """

    path_prefix: str = "/"
    status: int | None = None
    count: int | None = 1
    retry_after: int | None = None
    delay: float = 0.0
    method: str | None = None

    def __post_init__(self) -> None:
        if not self.path_prefix.startswith("/"):
            raise ValueError("path_prefix must start with '/'")
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1 (or null for every request)")
        if not 0 <= self.delay <= _MAX_DELAY:
            raise ValueError(f"delay must be between 0 and {_MAX_DELAY} seconds")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError("retry_after must not be negative")
        if self.status is None and self.delay == 0:
            raise ValueError("a fault needs a status, a delay, or both")
        if self.method is not None:
            self.method = self.method.upper()

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Fault:
        """Build a fault from an admin request body; raises ValueError when invalid."""
        known = {"path_prefix", "status", "count", "retry_after", "delay", "method"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        try:
            return cls(**data)  # type: ignore[arg-type]
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def as_dict(self) -> dict[str, object]:
        """The fault as JSON-ready data."""
        return asdict(self)


class Faults:
    """The active faults, consumed in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Arm a fault."""
        self._faults.append(fault)

    def clear(self) -> int:
        """Disarm every fault; returns how many were armed."""
        count = len(self._faults)
        self._faults.clear()
        return count

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching a request, using up one of its count."""
        for fault in self._faults:
            if path.startswith(fault.path_prefix) and fault.method in (None, method):
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                return fault
        return None


class Stats:
    """Request counts per `METHOD /path` (sys_ids replaced by `{sys_id}`)."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def record(self, method: str, path: str) -> None:
        """Count one request."""
        self._counts[f"{method} {_SYS_ID_SEGMENT.sub('/{sys_id}', path)}"] += 1

    def clear(self) -> None:
        """Forget every count."""
        self._counts.clear()

    def snapshot(self, method: str | None = None, path_prefix: str = "") -> dict[str, object]:
        """Counts per route plus the number of requests matching the optional filter."""
        matching = sum(
            n
            for key, n in self._counts.items()
            if (method is None or key.split(" ", 1)[0] == method.upper())
            and key.split(" ", 1)[1].startswith(path_prefix)
        )
        return {"total": sum(self._counts.values()), "count": matching,
                "requests": dict(sorted(self._counts.items()))}  # fmt: skip


class FaultMiddleware:
    """Counts backend requests and applies armed faults; `/sandbox/*` is never affected."""

    def __init__(self, app: ASGIApp, *, faults: Faults, stats: Stats) -> None:
        self.app = app
        self.faults = faults
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count, then delay and/or short-circuit the request when a fault matches."""
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/sandbox"):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        self.stats.record(method, path)
        fault = self.faults.take(method, path)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is None or fault.status is None:
            await self.app(scope, receive, send)
            return
        await _reply(send, fault)


async def _reply(send: Send, fault: Fault) -> None:
    status = fault.status or 500
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    detail = "Rate limit exceeded" if status == 429 else "Injected by the sandbox"
    body = json.dumps(
        {"error": {"message": phrase, "detail": detail}, "status": "failure"}
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    retry_after = fault.retry_after if fault.retry_after is not None else (
        1 if status == 429 else None
    )  # fmt: skip
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
