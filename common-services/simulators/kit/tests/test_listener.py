"""The simulators' and dev issuer's listener: slow clients get 408, normal ones are served."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from simulator_kit.listener import deadline_config


async def ok(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"{len(await request.body())}")


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    app = Starlette(routes=[Route("/", ok, methods=["GET", "POST"])])
    config = deadline_config(app, header_timeout=0.5, body_timeout=0.5, log_level="warning")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield sock.getsockname()[1]
    server.should_exit = True
    thread.join(timeout=10)


def _answer(port: int, head: bytes, trickle: bytes) -> bytes:
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    conn.sendall(head)
    for byte in trickle:
        try:
            conn.sendall(bytes([byte]))
        except OSError:
            break
        time.sleep(0.05)
    data = b""
    try:
        while chunk := conn.recv(4096):
            data += chunk
    except OSError:
        pass
    conn.close()
    return data


@pytest.mark.parametrize(
    ("head", "trickle"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\n", b"X-Slow: " + b"a" * 40),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n", b"b" * 40),
    ],
    ids=["headers", "body"],
)
def test_slow_clients_get_408(port: int, head: bytes, trickle: bytes) -> None:
    assert _answer(port, head, trickle).startswith(b"HTTP/1.1 408 ")


def test_normal_requests_are_served(port: int) -> None:
    answer = _answer(
        port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi", b""
    )
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"2")
