"""Specification of make_http_client: retries, Retry-After, timeouts, breaker, safe errors, TLS."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import socket
import ssl
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from mcp_common.errors import UpstreamError
from mcp_common.http import (
    CircuitBreaker,
    CircuitState,
    ResilientTransport,
    RetryPolicy,
    json_body,
    make_http_client,
    parse_retry_after,
    raise_for_status,
)
from mcp_common.observability import PlatformMetrics

SECRET = "Bearer sk-live-0123456789abcdef-TOPSECRET"
ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]

# --------------------------------------------------------------------------- the backend


class Backend:
    """A tiny fake API whose endpoints misbehave on purpose; counts calls per path."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def count(self, request: Request) -> int:
        self.calls[request.url.path] += 1
        return self.calls[request.url.path]

    async def ok(self, request: Request) -> Response:
        self.count(request)
        return JSONResponse({"ok": True})

    async def rate_limited(self, request: Request) -> Response:
        if self.count(request) == 1:
            return JSONResponse({"message": "slow down"}, 429, headers={"Retry-After": "1"})
        return JSONResponse({"ok": True})

    async def rate_limited_long(self, request: Request) -> Response:
        self.count(request)
        return JSONResponse({"message": "quota"}, 429, headers={"Retry-After": "120"})

    async def flaky(self, request: Request) -> Response:
        if self.count(request) <= 2:
            return JSONResponse({"message": "maintenance"}, 503)
        return JSONResponse({"ok": True})

    async def slow(self, request: Request) -> Response:
        self.count(request)
        await asyncio.sleep(1.0)
        return JSONResponse({"ok": True})

    async def missing(self, request: Request) -> Response:
        self.count(request)
        body = {"error": {"message": "No such device: 10.0.0.1", "detail": "lookup failed"}}
        return JSONResponse(body, 404)

    async def broken(self, request: Request) -> Response:
        self.count(request)
        return JSONResponse({"message": "internal error"}, 500)

    async def stream(self, request: Request) -> Response:
        self.count(request)

        async def chunks() -> AsyncIterator[bytes]:
            for i in range(5):
                yield f"chunk{i};".encode()

        return StreamingResponse(chunks(), media_type="text/plain")

    def app(self) -> Starlette:
        methods = ALL_METHODS
        return Starlette(
            routes=[
                Route("/ok/{key}", self.ok, methods=methods),
                Route("/rate-limited/{key}", self.rate_limited, methods=methods),
                Route("/rate-limited-long/{key}", self.rate_limited_long, methods=methods),
                Route("/flaky/{key}", self.flaky, methods=methods),
                Route("/slow/{key}", self.slow, methods=methods),
                Route("/missing/{key}", self.missing, methods=methods),
                Route("/broken/{key}", self.broken, methods=methods),
                Route("/stream/{key}", self.stream, methods=methods),
            ]
        )


@asynccontextmanager
async def serve(app: Starlette, **ssl_options: Any) -> AsyncIterator[int]:
    """Run `app` with uvicorn on a free 127.0.0.1 port; yield the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        **ssl_options,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no 'started' event
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture(scope="module")
async def backend() -> AsyncIterator[tuple[Backend, str]]:
    fake = Backend()
    async with serve(fake.app()) as port:
        yield fake, f"http://127.0.0.1:{port}"


@pytest.fixture
def key() -> str:
    """A fresh path segment, so each test has its own server-side counters."""
    return uuid.uuid4().hex[:12]


@pytest.fixture
def closed_port() -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def client_for(
    base_url: str,
    name: str = "github",
    *,
    retries: int = 3,
    max_retry_after: float = 30.0,
    **kwargs: Any,
) -> httpx.AsyncClient:
    retry = RetryPolicy(retries=retries, backoff=0.01, max_retry_after=max_retry_after)
    client: httpx.AsyncClient = make_http_client(name, base_url=base_url, retry=retry, **kwargs)
    return client


# --------------------------------------------------------------------------- retries


async def test_get_is_retried_through_503s_to_success(
    backend: tuple[Backend, str], key: str
) -> None:
    server, url = backend
    async with client_for(url) as client:
        response = await client.get(f"/flaky/{key}")
    assert response.status_code == 200
    assert server.calls[f"/flaky/{key}"] == 3


async def test_get_gives_up_after_retries_with_http_error(
    backend: tuple[Backend, str], key: str
) -> None:
    server, url = backend
    async with client_for(url, retries=1) as client:
        with pytest.raises(UpstreamError) as caught:
            await client.get(f"/flaky/{key}")
    assert (caught.value.kind, caught.value.status) == ("http", 503)
    assert str(caught.value) == "github returned HTTP 503"
    assert server.calls[f"/flaky/{key}"] == 2


async def test_post_is_not_retried_on_500(backend: tuple[Backend, str], key: str) -> None:
    server, url = backend
    async with client_for(url) as client:
        with pytest.raises(UpstreamError) as caught:
            await client.post(f"/broken/{key}", json={"name": "x"})
    assert (caught.value.kind, caught.value.status, caught.value.backend) == ("http", 500, "github")
    assert server.calls[f"/broken/{key}"] == 1


async def test_get_is_not_retried_on_plain_500(backend: tuple[Backend, str], key: str) -> None:
    server, url = backend
    async with client_for(url) as client:
        with pytest.raises(UpstreamError):
            await client.get(f"/broken/{key}")
    assert server.calls[f"/broken/{key}"] == 1


async def test_post_is_not_retried_on_503(backend: tuple[Backend, str], key: str) -> None:
    server, url = backend
    async with client_for(url) as client:
        with pytest.raises(UpstreamError) as caught:
            await client.post(f"/flaky/{key}", json={})
    assert caught.value.status == 503
    assert server.calls[f"/flaky/{key}"] == 1


async def test_post_is_retried_on_429(backend: tuple[Backend, str], key: str) -> None:
    server, url = backend
    async with client_for(url) as client:
        response = await client.post(f"/rate-limited/{key}", json={"n": 1})
    assert response.status_code == 200
    assert server.calls[f"/rate-limited/{key}"] == 2


async def test_retry_after_is_honoured(backend: tuple[Backend, str], key: str) -> None:
    server, url = backend
    async with client_for(url) as client:
        started = time.monotonic()
        response = await client.get(f"/rate-limited/{key}")
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed >= 1.0
    assert server.calls[f"/rate-limited/{key}"] == 2


async def test_retry_after_above_the_cap_fails_at_once_with_retry_after(
    backend: tuple[Backend, str], key: str
) -> None:
    server, url = backend
    async with client_for(url, max_retry_after=5.0) as client:
        started = time.monotonic()
        with pytest.raises(UpstreamError) as caught:
            await client.get(f"/rate-limited-long/{key}")
        elapsed = time.monotonic() - started
    error = caught.value
    assert (error.kind, error.status, error.retry_after) == ("http", 429, 120.0)
    assert str(error) == "github returned HTTP 429 (retry in 120 s)"
    assert elapsed < 0.5
    assert server.calls[f"/rate-limited-long/{key}"] == 1


async def test_retry_false_extension_disables_retries(
    backend: tuple[Backend, str], key: str
) -> None:
    server, url = backend
    async with client_for(url) as client:
        with pytest.raises(UpstreamError):
            await client.get(f"/flaky/{key}", extensions={"retry": False})
    assert server.calls[f"/flaky/{key}"] == 1


async def test_retry_true_extension_makes_a_post_retryable(
    backend: tuple[Backend, str], key: str
) -> None:
    server, url = backend
    async with client_for(url) as client:
        response = await client.post(f"/flaky/{key}", json={}, extensions={"retry": True})
    assert response.status_code == 200
    assert server.calls[f"/flaky/{key}"] == 3


async def test_a_streamed_upload_is_never_replayed(backend: tuple[Backend, str], key: str) -> None:
    server, url = backend

    async def body() -> AsyncIterator[bytes]:
        yield b"part-1"

    async with client_for(url) as client:
        with pytest.raises(UpstreamError) as caught:
            await client.post(f"/rate-limited/{key}", content=body())
    assert (caught.value.status, caught.value.retry_after) == (429, 1.0)
    assert server.calls[f"/rate-limited/{key}"] == 1


async def test_post_is_retried_when_the_connection_was_refused() -> None:
    # A refusal followed by success cannot be staged with one real server: MockTransport.
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if len(seen) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(201, json={"id": 1})

    client = make_http_client(
        "servicenow",
        base_url="http://backend",
        retry=RetryPolicy(backoff=0.0),
        transport=httpx.MockTransport(handler),
    )
    async with client:
        response = await client.post("/api/now/table/incident", json={"short": "x"})
    assert response.status_code == 201
    assert seen == ["POST", "POST"]


async def test_post_is_not_retried_when_the_connection_broke_after_sending() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        raise httpx.RemoteProtocolError("server disconnected", request=request)

    client = make_http_client(
        "servicenow",
        base_url="http://backend",
        retry=RetryPolicy(backoff=0.0),
        transport=httpx.MockTransport(handler),
    )
    async with client:
        with pytest.raises(UpstreamError) as caught:
            await client.post("/api/now/table/incident", json={})
    assert caught.value.kind == "network"
    assert len(seen) == 1


# --------------------------------------------------------------------------- timeouts, network


async def test_timeout_maps_to_timeout_error_naming_the_backend(
    backend: tuple[Backend, str], key: str
) -> None:
    _, url = backend
    async with client_for(url, name="catalyst-center", timeout=0.3, retries=0) as client:
        started = time.monotonic()
        with pytest.raises(UpstreamError) as caught:
            await client.get(f"/slow/{key}")
        elapsed = time.monotonic() - started
    error = caught.value
    assert (error.kind, error.backend, error.status) == ("timeout", "catalyst-center", None)
    assert str(error) == "catalyst-center timed out after 0.3 s"
    assert elapsed < 0.9


async def test_past_the_connection_wait_bound_a_call_fails_at_once_as_unavailable(
    backend: tuple[Backend, str], key: str
) -> None:
    server, url = backend
    bounds = {"max_connections": 1, "max_keepalive": 1, "max_waiting": 0}
    async with client_for(url, name="servicenow", **bounds) as client:
        busy = asyncio.create_task(client.get(f"/slow/{key}"))
        await asyncio.sleep(0.2)  # it holds the only connection
        with pytest.raises(UpstreamError) as caught:
            await client.get(f"/slow/{key}")
        assert not busy.done()  # refused while the only connection was still taken
        assert (await busy).json() == {"ok": True}
    error = caught.value
    assert (error.kind, error.backend, error.status) == ("unavailable", "servicenow", None)
    assert str(error) == "servicenow unavailable (too many calls waiting for a connection)"
    # Neither queued until the connection was free nor retried: it never reached the backend.
    assert server.calls[f"/slow/{key}"] == 1


async def test_post_is_not_retried_after_a_read_timeout(
    backend: tuple[Backend, str], key: str
) -> None:
    server, url = backend
    async with client_for(url, timeout=0.2, retries=3) as client:
        with pytest.raises(UpstreamError) as caught:
            await client.post(f"/slow/{key}", json={})
    assert caught.value.kind == "timeout"
    assert server.calls[f"/slow/{key}"] == 1


async def test_connection_refused_maps_to_network_error(closed_port: int) -> None:
    async with client_for(f"http://127.0.0.1:{closed_port}", name="radkit") as client:
        with pytest.raises(UpstreamError) as caught:
            await client.get("/devices")
    error = caught.value
    assert (error.kind, error.backend, error.status) == ("network", "radkit", None)
    assert str(error) == "radkit unreachable (connection failed)"


def test_connect_timeout_is_at_most_five_seconds() -> None:
    assert make_http_client("x", timeout=10.0).timeout == httpx.Timeout(10.0, connect=5.0)
    assert make_http_client("x", timeout=2.0).timeout == httpx.Timeout(2.0)


# --------------------------------------------------------------------------- circuit breaker


async def test_breaker_opens_rejects_without_calling_half_opens_and_closes(
    backend: tuple[Backend, str], key: str
) -> None:
    server, url = backend
    clock = FakeClock()
    breaker = CircuitBreaker("servicenow", failure_threshold=2, reset_timeout=30.0, clock=clock)
    async with client_for(url, name="servicenow", breaker=breaker) as client:
        for _ in range(2):
            with pytest.raises(UpstreamError):
                await client.get(f"/broken/{key}")
        assert breaker.state is CircuitState.OPEN

        clock.now += 18
        with pytest.raises(UpstreamError) as caught:
            await client.get(f"/broken/{key}")
        assert caught.value.kind == "circuit_open"
        assert str(caught.value) == "servicenow unavailable (circuit open, retry in 12 s)"
        assert server.calls[f"/broken/{key}"] == 2  # rejected without reaching the server

        clock.now += 12
        assert breaker.state is CircuitState.HALF_OPEN
        response = await client.get(f"/ok/{key}")
        assert response.status_code == 200
        assert breaker.state is CircuitState.CLOSED


async def test_a_failed_probe_reopens_the_circuit(backend: tuple[Backend, str], key: str) -> None:
    _, url = backend
    clock = FakeClock()
    breaker = CircuitBreaker("github", failure_threshold=1, reset_timeout=5.0, clock=clock)
    async with client_for(url, breaker=breaker) as client:
        with pytest.raises(UpstreamError):
            await client.get(f"/broken/{key}")
        clock.now += 5
        with pytest.raises(UpstreamError) as caught:
            await client.get(f"/broken/{key}")
    assert caught.value.kind == "http"
    assert breaker.state is CircuitState.OPEN


async def test_the_breakers_state_is_on_metrics_from_closed_to_open(
    backend: tuple[Backend, str], key: str
) -> None:
    _, url = backend
    metrics = PlatformMetrics("mcp-test")

    def state() -> float | None:
        return metrics.registry.get_sample_value("mcp_circuit_breaker_state", {"backend": "github"})

    async with client_for(url, metrics=metrics, retries=0) as client:
        assert state() == 0  # closed, reported before any call
        for _ in range(5):  # the default failure threshold
            with pytest.raises(UpstreamError):
                await client.get(f"/broken/{key}")
        with pytest.raises(UpstreamError) as caught:
            await client.get(f"/broken/{key}")
    assert caught.value.kind == "circuit_open"
    assert state() == 2  # open


async def test_4xx_answers_count_as_successes_for_the_breaker(
    backend: tuple[Backend, str], key: str
) -> None:
    _, url = backend
    breaker = CircuitBreaker("github", failure_threshold=1)
    async with client_for(url, breaker=breaker) as client:
        for _ in range(3):
            assert (await client.get(f"/missing/{key}")).status_code == 404
    assert breaker.state is CircuitState.CLOSED


# ------------------------------------------------------------------ 4xx and raise_for_status


async def test_404_is_returned_as_a_response_and_raise_for_status_maps_it(
    backend: tuple[Backend, str], key: str
) -> None:
    server, url = backend
    async with client_for(url, name="catalyst-center", headers={"Authorization": SECRET}) as client:
        response = await client.get(f"/missing/{key}")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No such device: 10.0.0.1"
    assert server.calls[f"/missing/{key}"] == 1
    with pytest.raises(UpstreamError) as caught:
        raise_for_status(response, "catalyst-center")
    error = caught.value
    assert (error.kind, error.status, error.backend) == ("http", 404, "catalyst-center")
    assert str(error) == "catalyst-center returned HTTP 404 Not Found: No such device: 10.0.0.1"
    assert "TOPSECRET" not in str(error)


def test_raise_for_status_draws_the_line_at_400() -> None:
    for status in (200, 204, 304, 399):  # success and redirects pass through
        assert raise_for_status(httpx.Response(status, json={"message": "x"}), "github") is None
    with pytest.raises(UpstreamError) as caught:
        raise_for_status(httpx.Response(400), "github")
    assert (caught.value.status, caught.value.kind) == (400, "http")


def test_raise_for_status_redacts_the_upstream_message() -> None:
    response = httpx.Response(401, json={"message": "invalid token=abcdef0123456789 for user"})
    with pytest.raises(UpstreamError) as caught:
        raise_for_status(response, "github")
    assert "abcdef0123456789" not in str(caught.value)
    assert str(caught.value).startswith("github returned HTTP 401 Unauthorized: invalid token=")


def test_raise_for_status_drops_long_or_html_bodies_and_never_echoes_the_request() -> None:
    request = httpx.Request(
        "POST",
        "https://api.example/x",
        headers={"Authorization": SECRET},
        content=b"password=hunter2",
    )
    long = httpx.Response(400, json={"message": "x" * 500}, request=request)
    html = httpx.Response(502, html="<html><body>Bad gateway</body></html>", request=request)
    for response in (long, html):
        with pytest.raises(UpstreamError) as caught:
            raise_for_status(response, "github")
        assert str(caught.value) == f"github returned HTTP {response.status_code} " + (
            response.reason_phrase
        )
        assert "TOPSECRET" not in str(caught.value) and "hunter2" not in str(caught.value)


def test_raise_for_status_reads_servicenow_and_catalyst_error_shapes() -> None:
    snow = httpx.Response(403, json={"error": {"message": "ACL denied", "detail": "x"}})
    dnac = httpx.Response(400, json={"response": {"errorCode": "E1", "detail": "Bad site id"}})
    assert _message(snow).endswith(": ACL denied")
    assert _message(dnac).endswith(": Bad site id")


def test_raise_for_status_carries_retry_after_for_429() -> None:
    response = httpx.Response(429, headers={"Retry-After": "7"})
    with pytest.raises(UpstreamError) as caught:
        raise_for_status(response, "github")
    assert caught.value.retry_after == 7.0


def _message(response: httpx.Response) -> str:
    try:
        raise_for_status(response, "x")
    except UpstreamError as error:
        return str(error)
    raise AssertionError("no error raised")


# --------------------------------------------------------------------------- streaming, metrics


async def test_streaming_responses_still_stream_through_retries(
    backend: tuple[Backend, str], key: str
) -> None:
    server, url = backend
    async with client_for(url) as client:
        async with client.stream("GET", f"/stream/{key}") as response:
            body = b"".join([chunk async for chunk in response.aiter_bytes()])
        async with client.stream("GET", f"/flaky/{key}") as retried:
            assert retried.status_code == 200
    assert body == b"chunk0;chunk1;chunk2;chunk3;chunk4;"
    assert server.calls[f"/flaky/{key}"] == 3


class FakeMetrics:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, float]] = []

    def upstream_request(self, backend: str, method: str, outcome: str, seconds: float) -> None:
        self.calls.append((backend, method, outcome, seconds))


class BrokenMetrics:
    def upstream_request(self, *args: object) -> None:
        raise RuntimeError("metrics backend down")


async def test_each_attempt_is_reported_to_metrics(backend: tuple[Backend, str], key: str) -> None:
    _, url = backend
    metrics = FakeMetrics()
    async with client_for(url, metrics=metrics) as client:
        await client.get(f"/flaky/{key}")
    assert [call[:3] for call in metrics.calls] == [("github", "GET", "503")] * 2 + [
        ("github", "GET", "200")
    ]
    assert all(call[3] >= 0 for call in metrics.calls)


async def test_failing_metrics_never_fail_the_call(backend: tuple[Backend, str], key: str) -> None:
    _, url = backend
    async with client_for(url, metrics=BrokenMetrics()) as client:
        assert (await client.get(f"/ok/{key}")).status_code == 200


# --------------------------------------------------------------------------- logging


async def test_retries_are_logged_with_path_only_and_no_authorization(
    backend: tuple[Backend, str], key: str, caplog: pytest.LogCaptureFixture
) -> None:
    _, url = backend
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    async with client_for(url, headers={"Authorization": SECRET}) as client:
        await client.get(f"/flaky/{key}", params={"api_key": "QUERYSECRET"})
        await client.get(f"/missing/{key}")
        with pytest.raises(UpstreamError):
            await client.post(f"/broken/{key}", json={"password": "hunter2"})
    retries = [r for r in caplog.records if r.__dict__.get("event.action") == "upstream.retry"]
    assert len(retries) == 2
    first = retries[0].__dict__
    assert first["backend"] == "github"
    assert (first["attempt"], first["status"]) == (1, 503)
    assert first["http.request.method"] == "GET"
    assert first["url.path"] == f"/flaky/{key}"
    mine = [r for r in caplog.records if r.name.startswith("mcp_common")]
    assert all("QUERYSECRET" not in _dump(r) for r in mine)
    assert all("TOPSECRET" not in _dump(r) for r in caplog.records)
    assert all("hunter2" not in _dump(r) for r in caplog.records)


def _dump(record: logging.LogRecord) -> str:
    return record.getMessage() + repr(record.__dict__)


# --------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A private CA and a server certificate for 127.0.0.1 signed by it."""
    directory = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = (directory / n for n in ("ca.pem", "cert.pem", "key.pem"))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@pytest.fixture(scope="module")
async def tls_backend(tls_files: tuple[Path, Path, Path]) -> AsyncIterator[tuple[Backend, str]]:
    _, cert_file, key_file = tls_files
    fake = Backend()
    async with serve(fake.app(), ssl_certfile=str(cert_file), ssl_keyfile=str(key_file)) as port:
        yield fake, f"https://127.0.0.1:{port}"


def _ssl_context_of(client: httpx.AsyncClient) -> ssl.SSLContext:
    transport = client._transport
    assert isinstance(transport, ResilientTransport)
    context: ssl.SSLContext = transport.inner.verify  # type: ignore[attr-defined]
    return context


def test_tls_verification_is_on_by_default() -> None:
    context = _ssl_context_of(make_http_client("github"))
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname is True


async def test_an_untrusted_certificate_is_refused_by_default_without_retries(
    tls_backend: tuple[Backend, str], key: str
) -> None:
    server, url = tls_backend
    metrics = FakeMetrics()
    async with client_for(url, name="catalyst-center", metrics=metrics) as client:
        with pytest.raises(UpstreamError) as caught:
            await client.get(f"/ok/{key}")
    assert caught.value.kind == "network"
    assert len(metrics.calls) == 1  # a bad certificate is not retried
    assert str(caught.value) == "catalyst-center unreachable (TLS certificate verification failed)"
    assert server.calls[f"/ok/{key}"] == 0


async def test_a_ca_bundle_path_is_trusted(
    tls_backend: tuple[Backend, str], tls_files: tuple[Path, Path, Path], key: str
) -> None:
    _, url = tls_backend
    async with client_for(url, verify=str(tls_files[0])) as client:
        assert (await client.get(f"/ok/{key}")).status_code == 200


async def test_disabling_verification_is_possible_but_logged(
    tls_backend: tuple[Backend, str], key: str, caplog: pytest.LogCaptureFixture
) -> None:
    _, url = tls_backend
    with caplog.at_level(logging.WARNING, logger="mcp_common.http._client"):
        client = client_for(url, verify=False)
    async with client:
        assert (await client.get(f"/ok/{key}")).status_code == 200
    assert any(r.__dict__.get("event.action") == "upstream.tls_insecure" for r in caplog.records)


# --------------------------------------------------------------------------- helpers, validation


def test_parse_retry_after_reads_seconds_and_http_dates() -> None:
    now = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    later = format_datetime(now + dt.timedelta(seconds=90), usegmt=True)
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(later, now=now.timestamp) == 90.0
    assert (
        parse_retry_after(format_datetime(now, usegmt=True), now=lambda: now.timestamp() + 5) == 0
    )
    assert parse_retry_after("-3") == 0.0
    for bad in (None, "", "soon", "inf", "nan"):
        assert parse_retry_after(bad) is None


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"backend": ""}, "backend"),
        ({"timeout": 0}, "timeout"),
        ({"max_connections": 0}, "max_connections"),
        ({"max_keepalive": 101}, "max_keepalive"),
        ({"verify": "/nonexistent/ca.pem"}, "CA bundle"),
    ],
)
def test_make_http_client_rejects_invalid_arguments(kwargs: dict[str, Any], fragment: str) -> None:
    arguments: dict[str, Any] = {"backend": "github", **kwargs}
    with pytest.raises(ValueError, match=fragment):
        make_http_client(arguments.pop("backend"), **arguments)


def test_the_returned_object_is_a_plain_async_client() -> None:
    client = make_http_client("opa", base_url="http://127.0.0.1:8181", headers={"X-A": "1"})
    assert type(client) is httpx.AsyncClient
    assert client.headers["X-A"] == "1"
    assert str(client.base_url) == "http://127.0.0.1:8181"


def test_json_body_decodes_a_backend_answer_or_says_it_is_not_json() -> None:
    assert json_body(httpx.Response(200, json={"a": 1}), "demo") == {"a": 1}
    assert json_body(httpx.Response(200, json=[1]), "demo") == [1]
    with pytest.raises(
        UpstreamError, match=r"demo returned a response that is not JSON \(HTTP 502\)"
    ):
        json_body(httpx.Response(502, text="<html>bad gateway</html>"), "demo")
    for response in (httpx.Response(200, json=[1]), httpx.Response(200, text="<html>")):
        with pytest.raises(UpstreamError, match="not a JSON object") as caught:
            json_body(response, "demo", require_object=True)
        assert (caught.value.backend, caught.value.status) == ("demo", 200)
