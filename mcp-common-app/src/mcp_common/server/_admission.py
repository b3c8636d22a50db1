"""Admission control: bounds on work per process; past them, 503 at once.

A server that takes every request it is sent under overload queues them all, and every one
of them ends up late (a melt-down: latency grows until clients time out and retry). This
middleware answers `503 Service Unavailable` with `Retry-After` immediately, without reading
the body or running anything else, when either bound is reached:

- `max_in_flight` concurrent HTTP requests (requests waiting on backends pile up here);
- the event loop running more than `max_loop_lag` seconds late (`LoopLag`): the process is
  out of CPU, so every request it admits would only make all of them later. A bound on
  requests in flight alone cannot see this: on a saturated core the requests wait in socket
  buffers before they are even counted (measured in bench/load.py's overload step).

So the requests it admits keep their latency and the rest are told to come back. Probes
(`/healthz`, `/readyz`, `/metrics`) are never refused: an overloaded replica is alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["AdmissionMiddleware", "LoopLag"]

_EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})


class LoopLag:
    """How late this process's event loop runs: a timer that measures its own delay.

    Every `interval` seconds a callback notes how much later than scheduled it ran; that is
    how long any ready work (a request's next step) waits for the CPU right now. The last
    reading decays to zero once the loop keeps time again. One timer per loop, no thread.
    """

    def __init__(self, interval: float = 0.01) -> None:
        if not interval > 0:
            raise ValueError(f"interval must be > 0 seconds, got {interval}")
        self.interval = interval
        self.lag = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._due = 0.0
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Start measuring on the running loop (again once that loop is closed; idempotent)."""
        if self._handle is not None and self._loop is not None and not self._loop.is_closed():
            return
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._due = loop.time() + self.interval
        self._handle = loop.call_at(self._due, self._tick)

    def stop(self) -> None:
        """Stop measuring (the reading goes back to zero)."""
        if self._handle is not None:
            self._handle.cancel()
        self._handle, self._loop, self.lag = None, None, 0.0

    def _tick(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        now = loop.time()
        self.lag = max(0.0, now - self._due)
        self._due = now + self.interval
        self._handle = loop.call_at(self._due, self._tick)


class AdmissionMiddleware:
    """Outermost ASGI middleware: 503 past `max_in_flight` requests or `max_loop_lag` s late."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_in_flight: int,
        max_loop_lag: float | None = None,
        retry_after: int = 1,
        exempt_paths: Iterable[str] = _EXEMPT,
        problem_json: bool = False,
        metrics: Any = None,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be >= 1, got {max_in_flight}")
        if retry_after < 1:
            raise ValueError(f"retry_after must be >= 1 second, got {retry_after}")
        if max_loop_lag is not None and not max_loop_lag > 0:
            raise ValueError(f"max_loop_lag must be > 0 seconds, got {max_loop_lag}")
        self.app = app
        self.max_in_flight = max_in_flight
        self.max_loop_lag = max_loop_lag
        self.loop_lag = LoopLag()
        self.in_flight = 0
        self._exempt = frozenset(exempt_paths)
        self._metrics = metrics
        body: dict[str, Any]
        if problem_json:
            ctype = b"application/problem+json"
            body = {
                "type": "about:blank",
                "title": "Service Unavailable",
                "status": 503,
                "detail": "server busy: too many requests in flight, retry later",
            }
        else:
            ctype = b"application/json"
            # JSON-RPC shaped, so MCP clients read a clear error rather than a parse failure.
            body = {
                "jsonrpc": "2.0",
                "id": None,
                "error": {"code": -32000, "message": "server busy: retry later"},
            }
        self._body = json.dumps(body).encode()
        self._headers = [
            (b"content-type", ctype),
            (b"content-length", str(len(self._body)).encode()),
            (b"retry-after", str(retry_after).encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Admit, or refuse with 503 + Retry-After when the bound is reached."""
        if scope["type"] != "http" or scope.get("path") in self._exempt:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight or self._late():
            await self._refuse(send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    def _late(self) -> bool:
        """True when the loop runs later than the bound (the lag timer starts on first use)."""
        if self.max_loop_lag is None:
            return False
        self.loop_lag.start()
        return self.loop_lag.lag > self.max_loop_lag

    async def _refuse(self, send: Send) -> None:
        if self._metrics is not None:
            with contextlib.suppress(Exception):  # observability fails open
                self._metrics.admission_refused()
        await send({"type": "http.response.start", "status": 503, "headers": self._headers})
        await send({"type": "http.response.body", "body": self._body})
