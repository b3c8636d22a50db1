"""BackgroundServer: serves any ASGI app on 127.0.0.1 and a free port, then releases it."""

from __future__ import annotations

import socket

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from simulator_kit.serve import BackgroundServer, free_ports


async def _hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


APP = Starlette(routes=[Route("/", _hello)])


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_serves_the_app_on_a_free_localhost_port_until_stopped() -> None:
    with BackgroundServer(APP) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert httpx.get(server.url + "/").text == "hello"
        port = server.port
        assert server.running
    assert not server.running
    assert not _accepts(port)


def test_two_servers_get_different_ports() -> None:
    with BackgroundServer(APP) as a, BackgroundServer(APP) as b:
        assert a.port != b.port


def test_responses_are_not_delayed_by_nagle() -> None:
    with BackgroundServer(APP) as server, httpx.Client(base_url=server.url) as client:
        client.get("/")
        elapsed = [client.get("/").elapsed.total_seconds() for _ in range(5)]
    assert min(elapsed) < 0.03


def test_url_before_start_and_double_start_are_errors() -> None:
    server = BackgroundServer(APP)
    with pytest.raises(RuntimeError):
        _ = server.url
    server.start()
    try:
        with pytest.raises(RuntimeError):
            server.start()
    finally:
        server.stop()
        server.stop()  # idempotent


@pytest.mark.parametrize(
    "kwargs", [{"app": None}, {"app": APP, "port": 70000}, {"app": APP, "startup_timeout": 0}]
)
def test_constructor_validates_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        BackgroundServer(**kwargs)  # type: ignore[arg-type]


def test_free_ports_are_distinct_and_each_can_be_bound() -> None:
    for _ in range(20):  # one free_port after another gave the same port twice in CI
        ports = free_ports(15)
        assert len(set(ports)) == 15
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
