"""The body limit refuses oversized requests with 413 before the app sees them."""

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mcp_common.asgi import BodyLimitMiddleware


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"size": len(await request.body())})


def _client(limit: int) -> httpx.AsyncClient:
    app = BodyLimitMiddleware(Starlette(routes=[Route("/", echo, methods=["POST"])]), limit)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_small_bodies_pass_through_intact() -> None:
    async with _client(100) as client:
        response = await client.post("/", content=b"x" * 100)
    assert response.status_code == 200 and response.json() == {"size": 100}


async def test_large_bodies_get_413() -> None:
    async with _client(100) as client:
        response = await client.post("/", content=b"x" * 101)
    assert response.status_code == 413
    assert response.json()["error"] == "request_too_large"


async def test_chunked_bodies_are_counted_too() -> None:
    async def chunks():
        for _ in range(5):
            yield b"x" * 50

    async with _client(100) as client:
        response = await client.post("/", content=chunks())
    assert response.status_code == 413
