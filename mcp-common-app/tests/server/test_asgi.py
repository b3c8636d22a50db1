"""The ASGI guards: the body limit (413), exact Host/Origin and one Authorization header."""

import json

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mcp_common.server import BodyLimitMiddleware, RequestGuardMiddleware


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


# -- the request guard: exact Host and Origin, one Authorization header -------------------------


async def _ok(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def guarded(
    headers: list[tuple[str, str]],
    *,
    allowed_hosts: tuple[str, ...] = (),
    allowed_origins: tuple[str, ...] = (),
    server: tuple[str, int] = ("127.0.0.1", 8000),
    problem_json: bool = False,
) -> tuple[int, dict]:
    """Run one request through the guard; return its status and JSON body ({} when passed)."""
    app = RequestGuardMiddleware(
        _ok,
        allowed_hosts=allowed_hosts,
        allowed_origins=allowed_origins,
        problem_json=problem_json,
    )
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/mcp",
        "scheme": "http",
        "server": server,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
        "state": {"request_id": "rid-1"},
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    body = sent[1]["body"]
    if sent[0]["status"] == 400 and any(k == b"authorization" for k, _ in scope["headers"]):
        assert (b"www-authenticate", b'Bearer error="invalid_request"') in sent[0]["headers"]
    return sent[0]["status"], (json.loads(body) if body != b"ok" else {})


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "mcp.example.com",
     "mcp.example.com:443", "api.corp.example:8443"],
)  # fmt: skip
async def test_allowed_hosts_pass(host: str) -> None:
    status, _ = await guarded([("Host", host)], allowed_hosts=("mcp.example.com", "*.corp.example"))
    assert status == 200


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost:8000.evil.example", 400),  # FastMCP's guard reads this as "localhost"
        ("127.0.0.1:8000@evil.example", 400),  # ... and this as "127.0.0.1"
        ("localhost.evil.example", 421),
        ("evil.example", 421),
        ("mcp.example.com.evil.example", 421),
        ("evilcorp.example", 421),  # not a sub-domain of corp.example
        ("127.0.0.1:8000/x", 400),
        ("127.0.0.1:99999", 400),
        ("", 400),
    ],
)
async def test_hosts_are_matched_exactly(host: str, status: int) -> None:
    got, body = await guarded([("Host", host)], allowed_hosts=("mcp.example.com", "*.corp.example"))
    assert got == status
    assert body["error"] in ("invalid_host", "misdirected_request")


async def test_two_host_headers_are_refused() -> None:
    status, _ = await guarded([("Host", "127.0.0.1:8000"), ("Host", "evil.example")])
    assert status == 400


async def test_a_host_entry_with_a_port_allows_only_that_port() -> None:
    assert (await guarded([("Host", "mcp:8002")], allowed_hosts=("mcp:8002",)))[0] == 200
    assert (await guarded([("Host", "mcp:8003")], allowed_hosts=("mcp:8002",)))[0] == 421


@pytest.mark.parametrize(
    "origin",
    ["http://127.0.0.1:8000", "http://localhost:3000", "https://app.example.com",
     "https://app.example.com:443"],
)  # fmt: skip
async def test_allowed_origins_pass(origin: str) -> None:
    status, _ = await guarded(
        [("Host", "127.0.0.1:8000"), ("Origin", origin)],
        allowed_origins=("https://app.example.com",),
    )
    assert status == 200


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:8000.evil.example",
        "http://127.0.0.1:8000@evil.example",
        "http://evil.example@127.0.0.1:8000",
        "https://app.example.com.evil.example",
        "https://app.example.com/path",
        "http://evil.example",
        "null",
    ],
)
async def test_origins_are_matched_exactly(origin: str) -> None:
    status, body = await guarded(
        [("Host", "127.0.0.1:8000"), ("Origin", origin)],
        allowed_origins=("https://app.example.com",),
    )
    assert status == 403 and body["error"] == "forbidden_origin"


async def test_same_origin_is_allowed_for_a_public_host() -> None:
    headers = [("Host", "mcp.example.com"), ("Origin", "http://mcp.example.com")]
    assert (await guarded(headers, allowed_hosts=("mcp.example.com",)))[0] == 200
    headers = [("Host", "mcp.example.com"), ("Origin", "http://mcp.example.com:8080")]
    assert (await guarded(headers, allowed_hosts=("mcp.example.com",)))[0] == 403


async def test_two_authorization_headers_are_refused_not_first_one_wins() -> None:
    status, body = await guarded(
        [("Host", "127.0.0.1:8000"), ("Authorization", "Bearer a"), ("Authorization", "Bearer b")]
    )
    assert status == 400 and body["error"] == "invalid_request"
    assert (await guarded([("Host", "127.0.0.1:8000"), ("Authorization", "Bearer a")]))[0] == 200


async def test_refusals_can_be_problem_json_with_the_request_id() -> None:
    status, body = await guarded([("Host", "evil.example")], problem_json=True)
    assert status == 421
    assert body["type"] == "urn:mcp-platform:problem:misdirected-request"
    assert body["status"] == 421 and body["request_id"] == "rid-1"


def test_bad_allow_list_entries_fail_at_start() -> None:
    with pytest.raises(ValueError, match="allowed host"):
        RequestGuardMiddleware(_ok, allowed_hosts=("evil.example/x",))
    with pytest.raises(ValueError, match="allowed origin"):
        RequestGuardMiddleware(_ok, allowed_origins=("app.example.com",))
