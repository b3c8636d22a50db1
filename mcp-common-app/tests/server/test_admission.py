"""Admission control through a real server: past the bound of requests in flight, 503 with
Retry-After at once; probes are never refused; the refusals are counted."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

from mcp_common import CommonSettings, Toolset
from mcp_common.server import AdmissionMiddleware, create_server
from mcp_common.testing import StaticAuthorizer, StaticSecretStore, StaticVerifier
from simulator_kit.serve import free_port

from .conftest import TOKENS

HEADERS = {
    "Authorization": "Bearer alice-token",
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
}


def slow_tools(release: threading.Event) -> Toolset:
    ts = Toolset("slow")

    @ts.tool(action="read")
    async def wait_for_release() -> str:
        """Holds its request in flight until the test releases it (the server's own thread)."""
        for _ in range(1000):
            if release.is_set():
                break
            await asyncio.sleep(0.01)
        return "released"

    return ts


def call(tool: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": tool, "arguments": {}}}  # fmt: skip


@pytest.fixture(scope="module")
def bounded(serve: Any) -> tuple[str, threading.Event]:
    """A server admitting one request at a time (MCP_MAX_IN_FLIGHT=1)."""
    release = threading.Event()
    port = free_port()
    settings = CommonSettings(
        port=port, oidc_issuer="http://127.0.0.1:1", oidc_audience="test",
        secrets_backend="file", secrets_file="unused.json", service_name="bounded",
        max_in_flight=1, rate_limit_per_minute=0,
    )  # fmt: skip
    platform = create_server(
        settings, name="bounded", resource="demo", toolsets=[slow_tools(release)],
        verifier=StaticVerifier(TOKENS), authorizer=StaticAuthorizer(),
        secrets=StaticSecretStore({}),
    )  # fmt: skip
    return serve(platform.http_app(), port).url, release


async def test_past_the_bound_a_request_is_refused_at_once_with_503_and_retry_after(
    bounded: tuple[str, threading.Event],
) -> None:
    url, release = bounded
    release.clear()
    async with (
        httpx.AsyncClient(base_url=url, timeout=10) as first,
        httpx.AsyncClient(base_url=url, timeout=10) as second,
    ):
        held = asyncio.create_task(first.post("/mcp", json=call("wait_for_release"),
                                              headers=HEADERS))  # fmt: skip
        await asyncio.sleep(0.3)  # the first request is in flight, holding the only slot
        refused = await second.post("/mcp", json=call("wait_for_release"), headers=HEADERS)
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["error"]["message"] == "server busy: retry later"
        # Probes still answer while the server is saturated.
        assert (await second.get("/healthz")).status_code == 200
        metrics = (await second.get("/metrics")).text
        assert "mcp_admission_refused_total 1.0" in metrics
        release.set()
        answer = await held
        assert answer.status_code == 200
        assert answer.json()["result"]["structuredContent"] == {"result": "released"}
        # The slot is free again: the next request is admitted.
        again = await second.post("/mcp", json=call("wait_for_release"), headers=HEADERS)
        assert again.status_code == 200


async def test_the_rest_proxy_shape_is_problem_json() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(0.3)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    guarded = AdmissionMiddleware(app, max_in_flight=1, retry_after=2, problem_json=True)
    transport = httpx.ASGITransport(app=guarded)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        first = asyncio.create_task(client.get("/api"))
        await asyncio.sleep(0.05)
        refused = await client.get("/api")
        assert (await first).status_code == 204
    assert refused.status_code == 503 and refused.headers["retry-after"] == "2"
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 503


async def test_a_process_out_of_cpu_refuses_until_its_loop_keeps_time_again() -> None:
    """The loop running late (here: 150 ms of CPU-bound work) -> 503 at once, then admitted."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/hog":
            time.sleep(0.15)  # noqa: ASYNC251 - blocks the loop, as a saturated core does
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    guarded = AdmissionMiddleware(app, max_in_flight=100, max_loop_lag=0.05)
    transport = httpx.ASGITransport(app=guarded)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/api")).status_code == 204  # starts the lag timer
        assert (await client.get("/hog")).status_code == 204
        await asyncio.sleep(0.001)  # the timer fires, late: the loop was blocked
        refused = await client.get("/api")
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert (await client.get("/readyz")).status_code == 204  # probes: never refused
        await asyncio.sleep(0.05)  # the loop keeps time again: the reading falls back
        assert (await client.get("/api")).status_code == 204
    guarded.loop_lag.stop()


async def test_without_a_lag_bound_only_requests_in_flight_count() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        time.sleep(0.1)  # noqa: ASYNC251 - the loop runs late on purpose
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    guarded = AdmissionMiddleware(app, max_in_flight=100)
    transport = httpx.ASGITransport(app=guarded)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for _ in range(3):
            assert (await client.get("/api")).status_code == 204


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_in_flight": 0},
        {"max_in_flight": 1, "retry_after": 0},
        {"max_in_flight": 1, "max_loop_lag": 0},
    ],
)
def test_constructor_refuses_bad_bounds(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        AdmissionMiddleware(lambda *a: None, **kwargs)  # type: ignore[arg-type]
