"""PooledTransport (aiohttp's pool under httpx) against real HTTP servers on 127.0.0.1
(uvicorn, and raw sockets for the answers uvicorn never gives)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from mcp_common.http import PooledTransport, PoolFull
from simulator_kit.serve import BackgroundServer


async def echo(request: Request) -> Response:
    client = request.client
    return JSONResponse(
        {"body": (await request.body()).decode(), "port": client.port if client else 0}
    )


async def stream(_: Request) -> Response:
    async def parts() -> AsyncIterator[bytes]:
        for part in (b"chunk-1 ", b"chunk-2 ", b"chunk-3"):
            yield part

    return StreamingResponse(parts(), media_type="text/plain")


async def slow(_: Request) -> Response:
    await asyncio.sleep(1)
    return JSONResponse({"late": True})


async def closing(_: Request) -> Response:
    return JSONResponse({"bye": True}, headers={"Connection": "close"})


async def empty(_: Request) -> Response:
    return Response(status_code=204)


APP = Starlette(
    routes=[
        Route("/echo", echo, methods=["POST", "GET"]),
        Route("/stream", stream),
        Route("/slow", slow),
        Route("/close", closing),
        Route("/empty", empty),
    ]
)


@pytest.fixture(scope="module")
def base(serve: Callable[..., BackgroundServer]) -> str:
    return serve(APP).url


class RawServer:
    """A TCP server answering every connection with fixed bytes, then closing it."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> RawServer:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(self.answer)
            await writer.drain()
            writer.close()

        self._server = await asyncio.start_server(handle, sock=self.sock)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()


async def test_sequential_requests_share_one_connection(base: str) -> None:
    async with httpx.AsyncClient(transport=PooledTransport()) as client:
        ports = {(await client.post(f"{base}/echo", content=b"x")).json()["port"] for _ in range(5)}
    assert len(ports) == 1


async def test_bodies_go_out_and_come_back_whole(base: str) -> None:
    async with httpx.AsyncClient(transport=PooledTransport()) as client:
        answer = await client.post(f"{base}/echo", json={"a": "é" * 1000})
        streamed = await client.get(f"{base}/stream")
        nothing = await client.get(f"{base}/empty")
    assert answer.json()["body"] == '{"a":"' + "é" * 1000 + '"}'
    assert streamed.text == "chunk-1 chunk-2 chunk-3"  # chunked transfer decoded
    assert nothing.status_code == 204 and nothing.content == b""


async def test_connection_close_is_honoured(base: str) -> None:
    async with httpx.AsyncClient(transport=PooledTransport()) as client:
        first = (await client.post(f"{base}/echo")).json()["port"]
        assert (await client.get(f"{base}/close")).json() == {"bye": True}
        third = (await client.post(f"{base}/echo")).json()["port"]
    assert first != third  # /close ended the kept connection


async def test_a_connection_the_server_closed_is_not_reused() -> None:
    body = b'{"ok": true}'
    answer = b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
    async with RawServer(answer) as raw, httpx.AsyncClient(transport=PooledTransport()) as c:
        for _ in range(3):  # each time the server has closed the previous connection
            await asyncio.sleep(0.05)
            assert (await c.get(f"http://127.0.0.1:{raw.port}/")).json() == {"ok": True}


async def test_an_answer_delimited_by_close_is_read_to_the_end() -> None:
    answer = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nall of it"
    async with RawServer(answer) as raw, httpx.AsyncClient(transport=PooledTransport()) as c:
        assert (await c.get(f"http://127.0.0.1:{raw.port}/")).text == "all of it"


async def test_an_answer_cut_short_is_a_read_error() -> None:
    answer = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort"
    async with RawServer(answer) as raw, httpx.AsyncClient(transport=PooledTransport()) as c:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await c.get(f"http://127.0.0.1:{raw.port}/")


async def test_failures_raise_httpx_exceptions(base: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    async with httpx.AsyncClient(transport=PooledTransport(), timeout=0.2) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{closed}/")
        with pytest.raises(httpx.ReadTimeout):
            await client.get(f"{base}/slow")
        # the timed-out connection was dropped; the next request works
        assert (await client.post(f"{base}/echo", content=b"ok")).json()["body"] == "ok"


async def test_concurrency_is_bounded_by_max_connections(base: str) -> None:
    transport = PooledTransport(max_connections=2)
    async with httpx.AsyncClient(transport=transport) as client:
        answers = await asyncio.gather(
            *(client.post(f"{base}/echo", content=str(i).encode()) for i in range(10))
        )
    assert sorted(a.json()["body"] for a in answers) == sorted(str(i) for i in range(10))
    assert len({a.json()["port"] for a in answers}) <= 2


async def test_past_the_wait_bound_a_call_fails_at_once_without_being_sent(base: str) -> None:
    transport = PooledTransport(max_connections=1, max_waiting=1)
    async with httpx.AsyncClient(transport=transport, timeout=5) as client:
        busy = asyncio.create_task(client.get(f"{base}/slow"))
        waiting = asyncio.create_task(client.get(f"{base}/slow"))
        await asyncio.sleep(0.1)
        started = asyncio.get_running_loop().time()
        with pytest.raises(PoolFull):
            await client.get(f"{base}/slow")
        assert asyncio.get_running_loop().time() - started < 0.5  # refused, not queued
        assert (await busy).json() == {"late": True}
        assert (await waiting).json() == {"late": True}  # the one admitted to wait was served


@pytest.mark.parametrize(
    "kwargs", [{"max_connections": 0}, {"max_waiting": -1}, {"keepalive_seconds": 0}]
)
def test_constructor_refuses_bad_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        PooledTransport(**kwargs)
