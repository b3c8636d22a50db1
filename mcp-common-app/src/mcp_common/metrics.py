"""Prometheus metrics for one service (its own registry, served at /metrics)."""

from __future__ import annotations

from contextlib import suppress

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "PlatformMetrics"]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class PlatformMetrics:
    """The platform's metric families; every method fails open."""

    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.service = service
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.tool_latency = Histogram(
            "mcp_tool_call_duration_seconds",
            "Tool call latency",
            ["tool", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.auth = Counter(
            "mcp_authentication_total", "Token verification outcomes", ["outcome"], registry=r
        )
        self.authz = Counter(
            "mcp_authorization_decisions_total",
            "Policy decisions",
            ["resource", "decision"],
            registry=r,
        )
        self.secrets = Counter(
            "mcp_secret_reads_total", "Secret reads", ["source", "outcome"], registry=r
        )
        self.errors = Counter("mcp_errors_total", "Errors by kind", ["kind"], registry=r)
        self.upstream = Histogram(
            "mcp_upstream_request_duration_seconds",
            "Backend API request latency",
            ["backend", "method", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.rate_limited = Counter(
            "mcp_rate_limited_total", "Calls refused by the rate limit", ["tool"], registry=r
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

    def error(self, kind: str) -> None:
        """Count an error by kind."""
        with suppress(Exception):  # observability fails open
            self.errors.labels(kind).inc()

    def upstream_request(self, backend: str, method: str, status: str, seconds: float) -> None:
        """Record one backend request."""
        with suppress(Exception):  # observability fails open
            self.upstream.labels(backend, method, status).observe(seconds)

    def render(self) -> bytes:
        """The exposition text for /metrics."""
        return generate_latest(self.registry)
