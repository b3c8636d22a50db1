"""Admission control: a bound on requests in flight per process; past it, 503 at once.

A server that takes every request it is sent under overload queues them all, and every one
of them ends up late (a melt-down: latency grows until clients time out and retry). Past
`max_in_flight` concurrent HTTP requests this middleware answers `503 Service Unavailable`
with `Retry-After` immediately, without reading the body or running anything else, so the
requests it admits keep their latency and the rest are told to come back. Probes
(`/healthz`, `/readyz`, `/metrics`) are never refused: an overloaded replica is alive.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["AdmissionMiddleware"]

_EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})


class AdmissionMiddleware:
    """Outermost ASGI middleware: at most `max_in_flight` HTTP requests at once, 503 past it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_in_flight: int,
        retry_after: int = 1,
        exempt_paths: Iterable[str] = _EXEMPT,
        problem_json: bool = False,
        metrics: Any = None,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be >= 1, got {max_in_flight}")
        if retry_after < 1:
            raise ValueError(f"retry_after must be >= 1 second, got {retry_after}")
        self.app = app
        self.max_in_flight = max_in_flight
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
        if self.in_flight >= self.max_in_flight:
            await self._refuse(send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _refuse(self, send: Send) -> None:
        if self._metrics is not None:
            with contextlib.suppress(Exception):  # observability fails open
                self._metrics.admission_refused()
        await send({"type": "http.response.start", "status": 503, "headers": self._headers})
        await send({"type": "http.response.body", "body": self._body})
