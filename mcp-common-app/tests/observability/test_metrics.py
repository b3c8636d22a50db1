"""PlatformMetrics: the service's Prometheus families, in a registry of its own, failing open."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from mcp_common.observability import PlatformMetrics


@pytest.fixture
def metrics() -> PlatformMetrics:
    return PlatformMetrics("demo")


def value(metrics: PlatformMetrics, name: str, **labels: str) -> float:
    sample = metrics.registry.get_sample_value(name, labels)
    return 0.0 if sample is None else sample


def test_each_instance_has_its_own_registry_so_services_never_collide() -> None:
    one, two = PlatformMetrics("a"), PlatformMetrics("b")  # no "duplicated timeseries"
    one.error("timeout")
    assert value(one, "mcp_errors_total", kind="timeout") == 1.0
    assert value(two, "mcp_errors_total", kind="timeout") == 0.0


def test_a_given_registry_is_the_one_recorded_into() -> None:
    registry = CollectorRegistry()
    PlatformMetrics("demo", registry).auth_outcome("success")
    assert registry.get_sample_value("mcp_authentication_total", {"outcome": "success"}) == 1.0


def test_tool_calls_are_timed_per_tool_and_status(metrics: PlatformMetrics) -> None:
    metrics.tool_call("list_devices", "ok", 0.003)
    metrics.tool_call("list_devices", "ok", 0.2)
    metrics.tool_call("list_devices", "error", 1.5)
    ok = {"tool": "list_devices", "status": "ok"}
    assert value(metrics, "mcp_tool_call_duration_seconds_count", **ok) == 2.0
    assert value(metrics, "mcp_tool_call_duration_seconds_sum", **ok) == pytest.approx(0.203)
    # Buckets resolve milliseconds: 3 ms is above 2.5 ms and within 5 ms.
    assert value(metrics, "mcp_tool_call_duration_seconds_bucket", **ok, le="0.0025") == 0.0
    assert value(metrics, "mcp_tool_call_duration_seconds_bucket", **ok, le="0.005") == 1.0
    error = {"tool": "list_devices", "status": "error"}
    assert value(metrics, "mcp_tool_call_duration_seconds_count", **error) == 1.0


def test_slow_calls_up_to_30_seconds_still_land_in_a_finite_bucket(
    metrics: PlatformMetrics,
) -> None:
    metrics.tool_call("deploy", "ok", 25.0)
    labels = {"tool": "deploy", "status": "ok"}
    assert value(metrics, "mcp_tool_call_duration_seconds_bucket", **labels, le="10.0") == 0.0
    assert value(metrics, "mcp_tool_call_duration_seconds_bucket", **labels, le="30.0") == 1.0


def test_policy_decisions_are_counted_per_resource_as_allow_or_deny(
    metrics: PlatformMetrics,
) -> None:
    metrics.authz_decision("github", True)
    metrics.authz_decision("github", True)
    metrics.authz_decision("github", False)
    name = "mcp_authorization_decisions_total"
    assert value(metrics, name, resource="github", decision="allow") == 2.0
    assert value(metrics, name, resource="github", decision="deny") == 1.0


def test_secret_reads_errors_and_authentications_are_counted_by_label(
    metrics: PlatformMetrics,
) -> None:
    metrics.secret_read("vault", "success")
    metrics.secret_read("stale", "success")
    metrics.auth_outcome("failure")
    metrics.error("upstream")
    assert value(metrics, "mcp_secret_reads_total", source="vault", outcome="success") == 1.0
    assert value(metrics, "mcp_secret_reads_total", source="stale", outcome="success") == 1.0
    assert value(metrics, "mcp_authentication_total", outcome="failure") == 1.0
    assert value(metrics, "mcp_errors_total", kind="upstream") == 1.0


def test_backend_requests_are_timed_per_backend_method_and_status(
    metrics: PlatformMetrics,
) -> None:
    metrics.upstream_request("servicenow", "GET", "200", 0.04)
    labels = {"backend": "servicenow", "method": "GET", "status": "200"}
    assert value(metrics, "mcp_upstream_request_duration_seconds_count", **labels) == 1.0
    assert value(metrics, "mcp_upstream_request_duration_seconds_sum", **labels) == 0.04


def test_render_is_the_prometheus_text_format_of_every_family(metrics: PlatformMetrics) -> None:
    metrics.tool_call("t", "ok", 0.01)
    metrics.rate_limited.labels("t").inc()
    families = {f.name: f for f in text_string_to_metric_families(metrics.render().decode())}
    assert set(families) >= {
        "mcp_tool_call_duration_seconds",
        "mcp_authentication",
        "mcp_authorization_decisions",
        "mcp_secret_reads",
        "mcp_errors",
        "mcp_upstream_request_duration_seconds",
        "mcp_rate_limited",
    }
    assert families["mcp_tool_call_duration_seconds"].type == "histogram"
    limited = [s for s in families["mcp_rate_limited"].samples if s.name.endswith("_total")]
    assert [(s.labels, s.value) for s in limited] == [({"tool": "t"}, 1.0)]


class Broken:
    """A metric family whose backend fails on every use."""

    def labels(self, *args: Any) -> Any:
        raise RuntimeError("metrics backend down")


def test_a_failing_family_neither_reaches_the_caller_nor_stops_the_others(
    metrics: PlatformMetrics,
) -> None:
    for family in ("tool_latency", "auth", "authz", "secrets", "upstream"):
        setattr(metrics, family, Broken())
    metrics.tool_call("t", "ok", 0.1)
    metrics.auth_outcome("success")
    metrics.authz_decision("github", True)
    metrics.secret_read("vault", "success")
    metrics.upstream_request("b", "GET", "200", 0.1)
    metrics.error("x")
    assert value(metrics, "mcp_errors_total", kind="x") == 1.0
    assert b"mcp_errors_total" in metrics.render()
