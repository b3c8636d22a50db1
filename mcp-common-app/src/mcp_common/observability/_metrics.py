"""Prometheus metrics for one service (its own registry, served at /metrics).

With several worker processes (`MCP_WORKERS`), each process counts into files under
`PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode, one directory per
service, set before the workers start) and /metrics adds every worker's counts up, so
whichever worker answers the scrape, the numbers are the service's.
"""

from __future__ import annotations

import os
from contextlib import suppress

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["CONTENT_TYPE_LATEST", "PlatformMetrics"]

_CIRCUIT_STATES = {"closed": 0, "half_open": 1, "open": 2}
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class PlatformMetrics:
    """The platform's metric families; every method fails open."""

    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.service = service
        self.registry = registry or CollectorRegistry()
        r = self.registry

        def counter(name: str, doc: str, *labels: str) -> Counter:
            return Counter(name, doc, labels, registry=r)

        def latency(name: str, doc: str, *labels: str) -> Histogram:
            return Histogram(name, doc, labels, buckets=_LATENCY_BUCKETS, registry=r)

        self.tool_latency = latency(
            "mcp_tool_call_duration_seconds", "Tool call latency", "tool", "status"
        )
        self.auth = counter("mcp_authentication_total", "Token verification outcomes", "outcome")
        self.authz = counter(
            "mcp_authorization_decisions_total", "Policy decisions", "resource", "decision"
        )
        self.secrets = counter("mcp_secret_reads_total", "Secret reads", "source", "outcome")
        self.errors = counter("mcp_errors_total", "Errors by kind", "kind")
        self.degraded = Gauge(
            "mcp_secrets_degraded",
            "1 while secrets are served last-known-good because Vault is unreachable",
            registry=r,
            multiprocess_mode="max",
        )
        self.circuit = Gauge(
            "mcp_circuit_breaker_state",
            "Circuit breaker per backend: 0 closed, 1 half-open, 2 open",
            ["backend"],
            registry=r,
            multiprocess_mode="max",
        )
        self.upstream = latency(
            "mcp_upstream_request_duration_seconds",
            "Backend API request latency",
            "backend",
            "method",
            "status",
        )
        self.rate_limited = counter(
            "mcp_rate_limited_total", "Calls refused by the rate limit", "tool"
        )
        self.admission = counter(
            "mcp_admission_refused_total",
            "HTTP requests refused with 503 (too many in flight in this process)",
        )
        self.cache = counter(
            "mcp_tool_cache_total", "Shared read cache lookups and invalidations", "tool", "outcome"
        )

    def tool_call(self, tool: str, status: str, seconds: float) -> None:
        """Record one tool call."""
        with suppress(Exception):  # observability fails open
            self.tool_latency.labels(tool, status).observe(seconds)

    def auth_outcome(self, outcome: str) -> None:
        """Record one authentication outcome (success, or the failure reason class)."""
        with suppress(Exception):  # observability fails open
            self.auth.labels(outcome).inc()

    def authz_decision(self, resource: str, allowed: bool) -> None:
        """Record one policy decision."""
        with suppress(Exception):  # observability fails open
            self.authz.labels(resource, "allow" if allowed else "deny").inc()

    def secret_read(self, source: str, outcome: str) -> None:
        """Record one secret read (vault, cache, stale, file)."""
        with suppress(Exception):  # observability fails open
            self.secrets.labels(source, outcome).inc()

    def secrets_degraded(self, degraded: bool) -> None:
        """Record whether secrets are served last-known-good (Vault unreachable)."""
        with suppress(Exception):  # observability fails open
            self.degraded.set(1 if degraded else 0)

    def circuit_state(self, backend: str, state: str) -> None:
        """Record a backend's circuit breaker state (closed, half_open, open)."""
        with suppress(Exception):  # observability fails open
            self.circuit.labels(backend).set(_CIRCUIT_STATES[state])

    def error(self, kind: str) -> None:
        """Count an error by kind."""
        with suppress(Exception):  # observability fails open
            self.errors.labels(kind).inc()

    def upstream_request(self, backend: str, method: str, status: str, seconds: float) -> None:
        """Record one backend request."""
        with suppress(Exception):  # observability fails open
            self.upstream.labels(backend, method, status).observe(seconds)

    def admission_refused(self) -> None:
        """Count one request refused by admission control."""
        with suppress(Exception):  # observability fails open
            self.admission.inc()

    def cache_outcome(self, tool: str, outcome: str) -> None:
        """Count one read-cache outcome (hit, miss, store, invalidate, error)."""
        with suppress(Exception):  # observability fails open
            self.cache.labels(tool, outcome).inc()

    def render(self) -> bytes:
        """The exposition text for /metrics (every worker's counts, in multiprocess mode)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
