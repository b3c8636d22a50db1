"""Listener deadlines: slow-loris headers and dribbled bodies are cut off, normal clients not."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mcp_common.server import hardened_config

HEADER_TIMEOUT = 0.6
BODY_TIMEOUT = 0.8


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"size": len(await request.body())})


async def loop(request: Request) -> JSONResponse:
    return JSONResponse({"loop": type(asyncio.get_running_loop()).__module__})


APP = Starlette(routes=[Route("/", echo, methods=["GET", "POST"]), Route("/loop", loop)])


def _serve(config: uvicorn.Config) -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield sock.getsockname()[1]
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module", params=["httptools", "h11"])
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    """The hardened listener with each HTTP parser (httptools is the default)."""
    extra = {} if request.param == "httptools" else {"http": "h11"}
    config = hardened_config(
        APP,
        header_timeout=HEADER_TIMEOUT,
        body_timeout=BODY_TIMEOUT,
        log_config=None,
        access_log=False,
        **extra,
    )
    yield from _serve(config)


@pytest.fixture(scope="module")
def plain_port() -> Iterator[int]:
    """uvicorn as configured before: keep-alive timeout only."""
    yield from _serve(uvicorn.Config(APP, log_config=None, access_log=False))


def _connect(port: int) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    conn.settimeout(5)
    return conn


def _dribble(conn: socket.socket, data: bytes, seconds: float) -> bool:
    """Send `data` a byte at a time over about `seconds`; False once the server closed."""
    pause = seconds / max(1, len(data))
    for byte in data:
        try:
            conn.sendall(bytes([byte]))
        except OSError:
            return False
        time.sleep(pause)
    return True


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = conn.recv(4096)
        except (TimeoutError, OSError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _response(conn: socket.socket) -> bytes:
    """One whole response (headers and a content-length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += conn.recv(4096)
    return head + b"\r\n\r\n" + body


def test_by_default_it_serves_on_uvloop_with_the_httptools_parser() -> None:
    config = hardened_config(APP, log_config=None, access_log=False)
    config.load()
    assert issubclass(config.http_protocol_class, HttpToolsProtocol)
    for port in _serve(config):
        with _connect(port) as conn:
            conn.sendall(b"GET /loop HTTP/1.1\r\nHost: x\r\n\r\n")
            assert b'"loop":"uvloop"' in conn.recv(4096)


def test_slow_loris_headers_are_cut_off_with_408(port: int) -> None:
    conn = _connect(port)
    started = time.monotonic()
    headers = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 60
    _dribble(conn, headers, seconds=3 * HEADER_TIMEOUT)
    answer = _read_all(conn)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < 3 * HEADER_TIMEOUT + 2


def test_a_body_slower_than_its_deadline_is_cut_off_with_408(port: int) -> None:
    conn = _connect(port)
    conn.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n")
    started = time.monotonic()
    _dribble(conn, b"x" * 100, seconds=4 * BODY_TIMEOUT)
    answer = _read_all(conn)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < 4 * BODY_TIMEOUT + 2


def test_an_idle_connection_is_just_closed(port: int) -> None:
    conn = _connect(port)
    assert _read_all(conn) == b""  # closed by the server, no answer to a request never made


def test_normal_requests_and_kept_alive_connections_still_work(port: int) -> None:
    conn = _connect(port)
    body = b"x" * 50
    request = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 50\r\n\r\n" + body
    for _ in range(2):
        conn.sendall(request)
        answer = _response(conn)
        assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b'{"size":50}')
        time.sleep(HEADER_TIMEOUT / 2)
    # Idle between requests is uvicorn's keep-alive (5 s), not the header deadline: the
    # deadline of a kept-alive connection's next request starts at its first byte.
    time.sleep(HEADER_TIMEOUT * 2)
    conn.sendall(request)
    assert _response(conn).startswith(b"HTTP/1.1 200 ")


def test_the_next_request_on_a_kept_alive_connection_has_its_own_deadline(port: int) -> None:
    conn = _connect(port)
    conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert _response(conn).startswith(b"HTTP/1.1 200 ")
    _dribble(conn, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 60, 3 * HEADER_TIMEOUT)
    assert _read_all(conn).startswith(b"HTTP/1.1 408 ")


def test_without_the_deadlines_uvicorn_waits_for_a_slow_client_for_ever(plain_port: int) -> None:
    # The defect this module fixes: keep-alive stops counting at the first byte.
    conn = _connect(plain_port)
    assert _dribble(conn, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 20, seconds=2.0)
    conn.sendall(b"\r\n\r\n")
    assert _response(conn).startswith(b"HTTP/1.1 200 ")


@pytest.mark.parametrize("kwargs", [{"header_timeout": 0}, {"body_timeout": -1}])
def test_bad_deadlines_fail_fast(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="timeout"):
        hardened_config(APP, **kwargs)
