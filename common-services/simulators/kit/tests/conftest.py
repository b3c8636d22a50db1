"""A toy simulator built from the kit, served over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from simulator_kit import (
    Controls,
    ErrorDialect,
    Fault,
    Faults,
    RequestStats,
    SessionTokens,
    SimulatorError,
    simulator_app,
)
from simulator_kit.serve import BackgroundServer

TOKEN_HEADER = "x-token"


class Toy:
    """The toy's state: one login route, one API route behind a token."""

    def __init__(self) -> None:
        self.faults = Faults()
        self.stats = RequestStats()
        self.tokens = SessionTokens(60)
        self.resets = 0

    def reset(self) -> None:
        self.faults.reset()
        self.stats.clear()
        self.tokens.expire_all()
        self.resets += 1


def envelope(status: int, message: str, detail: str, headers: Any = None) -> Response:
    """The toy's error envelope."""
    return JSONResponse({"error": message, "detail": detail}, status, headers=headers)


class ToyError(SimulatorError):
    """The toy API's own error."""


class ToyErrors(ErrorDialect[ToyError]):
    """The toy's error envelope for every error."""

    error_type = ToyError

    def api_error(self, error: ToyError) -> Response:
        return envelope(error.status, error.message, error.detail or "", error.headers)

    def http_error(self, request: Request, error: HTTPException) -> Response:
        return envelope(error.status_code, "no route", request.url.path)

    def unexpected(self) -> Response:
        return envelope(500, "unexpected", "")

    def fault(self, fault: Fault, path: str) -> Response:
        return envelope(fault.status or 500, "injected", path, fault.headers())

    def control_error(self, status: int, message: str, detail: str) -> Response:
        return envelope(status, message, detail)


def build_toy(*, admin: bool = True) -> tuple[Starlette, Toy]:
    """The toy app and its state."""
    toy = Toy()

    async def login(request: Request) -> Response:
        return JSONResponse({"token": toy.tokens.issue()})

    async def items(request: Request) -> Response:
        return JSONResponse({"items": [1, 2]})

    def admit(scope: Scope) -> Response | None:
        if scope["path"] == "/login" or toy.tokens.valid(Headers(scope=scope).get(TOKEN_HEADER)):
            return None
        return envelope(401, "no token", "")

    controls = Controls(faults=toy.faults, stats=toy.stats, reset=toy.reset,
                        expire_tokens=toy.tokens.expire_all)  # fmt: skip
    app = simulator_app(
        [Route("/login", login, methods=["POST"]), Route("/items", items)],
        controls=controls,
        errors=ToyErrors(),
        admit=admit,
        admin=admin,
    )
    return app, toy


@pytest.fixture
def make_toy() -> Callable[..., tuple[Starlette, Toy]]:
    """The toy's factory, for tests that serve their own."""
    return build_toy


@pytest.fixture(scope="session")
def toy_server() -> Iterator[tuple[BackgroundServer, Toy]]:
    """The toy on a free port for the session."""
    app, toy = build_toy()
    with BackgroundServer(app) as server:
        yield server, toy


@pytest.fixture
def toy(toy_server: tuple[BackgroundServer, Toy]) -> Toy:
    """The toy's state, reset."""
    return toy_server[1]


@pytest.fixture
def http(toy_server: tuple[BackgroundServer, Toy]) -> Iterator[httpx.Client]:
    """A plain client on a freshly reset toy."""
    with httpx.Client(base_url=toy_server[0].url, timeout=10) as client:
        client.post("/sandbox/reset").raise_for_status()
        yield client


@pytest.fixture
def api(http: httpx.Client) -> Any:
    """A client logged in to the toy."""
    token = http.post("/login").json()["token"]
    http.headers[TOKEN_HEADER] = token
    return http
