"""Platform status: each service's readiness, its call and error rates (from /metrics, kept
as a short history for a small chart) and its circuit breakers.

Rates are differences of counters between two samples, so the first look shows totals and
later ones (the page refreshes itself) show calls per second. Circuit-breaker states come
from a `mcp_circuit_breaker_state` gauge when a service exports one, else from the last
`upstream.circuit_*` event in its log (see `audit.LogFeed`).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

__all__ = ["Counters", "ServiceStatus", "StatusBoard", "parse_metrics", "sparkline"]

_CALLS = "mcp_tool_call_duration_seconds"
_BREAKER = "mcp_circuit_breaker_state"
_BREAKER_STATES = {0: "closed", 1: "half_open", 2: "open"}
_OK = frozenset({"success", "ok"})
_HISTORY = 30


@dataclass(frozen=True, slots=True)
class Counters:
    """Totals read from one /metrics answer."""

    calls: float = 0.0
    errors: float = 0.0
    denied: float = 0.0
    breakers: tuple[tuple[str, str], ...] = ()


def parse_metrics(text: str) -> Counters:
    """Tool calls, failed calls and circuit states from Prometheus text."""
    calls = errors = denied = 0.0
    breakers: dict[str, str] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == f"{_CALLS}_count":
                calls += sample.value
                status = sample.labels.get("status", "")
                if status == "denied":
                    denied += sample.value
                elif status not in _OK:
                    errors += sample.value
            elif sample.name == _BREAKER:
                name = sample.labels.get("backend") or sample.labels.get("name") or "backend"
                breakers[name] = _BREAKER_STATES.get(int(sample.value), "unknown")
    return Counters(calls, errors, denied, tuple(sorted(breakers.items())))


@dataclass(slots=True)
class ServiceStatus:
    """What the status page shows for one service."""

    name: str
    url: str
    ready: bool | None = None  # None: unreachable
    checks: dict[str, Any] = field(default_factory=dict)
    detail: str = ""
    counters: Counters | None = None
    call_rate: float | None = None
    error_rate: float | None = None
    history: tuple[tuple[float, float], ...] = ()  # (calls/s, errors/s)
    breakers: tuple[tuple[str, str], ...] = ()


class StatusBoard:
    """Samples every service; remembers a short history of counters per service."""

    def __init__(
        self,
        targets: Mapping[str, str],
        *,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        history: int = _HISTORY,
    ) -> None:
        self.targets = dict(targets)
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(3.0, connect=1.0))
        self._clock = clock
        self._samples: dict[str, deque[tuple[float, Counters]]] = {
            name: deque(maxlen=history + 1) for name in self.targets
        }

    async def _one(self, name: str, base: str) -> ServiceStatus:
        status = ServiceStatus(name, base)
        try:
            ready = await self._http.get(f"{base}/readyz")
            body = (
                ready.json()
                if ready.headers.get("content-type", "").startswith("application/json")
                else {}
            )
            status.ready = ready.status_code == 200
            status.checks = dict(body.get("checks") or {}) if isinstance(body, dict) else {}
            if not status.ready:
                failing = [k for k, ok in status.checks.items() if not ok]
                status.detail = f"not ready: {', '.join(failing) or ready.status_code}"
        except (httpx.HTTPError, ValueError) as exc:
            status.detail = f"unreachable ({type(exc).__name__})"
            return status
        try:
            metrics = await self._http.get(f"{base}/metrics")
            if metrics.status_code == 200:
                status.counters = parse_metrics(metrics.text)
        except (httpx.HTTPError, ValueError):
            status.counters = None
        if status.counters is not None:
            self._remember(status)
        return status

    def _remember(self, status: ServiceStatus) -> None:
        assert status.counters is not None
        samples = self._samples.setdefault(status.name, deque(maxlen=_HISTORY + 1))
        samples.append((self._clock(), status.counters))
        rates: list[tuple[float, float]] = []
        for (t0, c0), (t1, c1) in zip(list(samples), list(samples)[1:], strict=False):
            span = max(t1 - t0, 1e-3)
            rates.append((max(c1.calls - c0.calls, 0) / span, max(c1.errors - c0.errors, 0) / span))
        status.history = tuple(rates)
        if rates:
            status.call_rate, status.error_rate = rates[-1]
        status.breakers = status.counters.breakers

    async def sample(self) -> list[ServiceStatus]:
        """Every service, concurrently."""
        return list(await asyncio.gather(*(self._one(n, u) for n, u in self.targets.items())))

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()


def sparkline(
    history: tuple[tuple[float, float], ...], *, width: int = 240, height: int = 48
) -> dict[str, Any]:
    """Polyline points (calls and errors per second) for an inline SVG chart."""
    if not history:
        return {"calls": "", "errors": "", "peak": 0.0, "width": width, "height": height}
    peak = max(max(c, e) for c, e in history) or 1.0
    step = width / max(len(history) - 1, 1)

    def points(index: int) -> str:
        coords = []
        for i, sample in enumerate(history):
            x = round(i * step, 1)
            y = round(height - (sample[index] / peak) * (height - 4) - 2, 1)
            coords.append(f"{x},{y}")
        return " ".join(coords)

    return {
        "calls": points(0),
        "errors": points(1),
        "peak": peak,
        "width": width,
        "height": height,
    }
