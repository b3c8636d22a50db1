"""Platform status: readiness, call and error rates from /metrics, circuit breakers."""

from __future__ import annotations

import httpx

from mcp_console.status import StatusBoard, parse_metrics, sparkline

METRICS = """# HELP mcp_tool_call_duration_seconds Tool call latency
# TYPE mcp_tool_call_duration_seconds histogram
mcp_tool_call_duration_seconds_bucket{le="+Inf",status="success",tool="a"} {ok}
mcp_tool_call_duration_seconds_count{status="success",tool="a"} {ok}
mcp_tool_call_duration_seconds_sum{status="success",tool="a"} 1.0
mcp_tool_call_duration_seconds_count{status="error",tool="a"} {err}
mcp_tool_call_duration_seconds_count{status="denied",tool="b"} 2
# TYPE mcp_circuit_breaker_state gauge
mcp_circuit_breaker_state{backend="servicenow"} 2
"""


def metrics(ok: int, err: int) -> str:
    return METRICS.replace("{ok}", str(ok)).replace("{err}", str(err))


def test_counters_and_circuit_states_from_prometheus_text() -> None:
    counters = parse_metrics(metrics(10, 3))
    assert (counters.calls, counters.errors, counters.denied) == (15, 3, 2)
    assert counters.breakers == (("servicenow", "open"),)


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_rates_are_differences_between_samples_and_an_unready_service_says_why() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "down":
            raise httpx.ConnectError("refused")
        if request.url.path == "/readyz":
            ready = request.url.host == "up"
            body = {"status": "ready", "checks": {"jwks": ready, "policy": True}}
            return httpx.Response(200 if ready else 503, json=body)
        calls["n"] += 10
        return httpx.Response(200, text=metrics(calls["n"], calls["n"] // 10))

    clock = Clock()
    board = StatusBoard(
        {"a": "http://up", "b": "http://sick", "c": "http://down"},
        http=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        clock=clock,
    )
    first = {s.name: s for s in await board.sample()}
    assert first["a"].ready and first["a"].call_rate is None
    assert first["b"].ready is False and first["b"].detail == "not ready: jwks"
    assert first["c"].ready is None and "unreachable" in first["c"].detail
    clock.now = 5.0
    second = {s.name: s for s in await board.sample()}
    # service a's count went from 10+1+2 to 30+3+2 between its two samples, 5 s apart
    assert second["a"].call_rate is not None and second["a"].call_rate > 0
    assert second["a"].history and second["a"].breakers == (("servicenow", "open"),)
    await board.aclose()


def test_the_chart_scales_to_the_peak() -> None:
    chart = sparkline(((0.0, 0.0), (2.0, 1.0)), width=100, height=50)
    assert chart["calls"] == "0.0,48.0 100.0,2.0" and chart["peak"] == 2.0
    assert sparkline(())["calls"] == ""
