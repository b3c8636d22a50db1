"""The error dialect: simulator_app answers every kind of error through the simulator's one
ErrorDialect (its own errors, unknown routes and methods, unexpected exceptions, injected
faults, bad control requests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from simulator_kit import (
    Controls,
    ErrorDialect,
    Fault,
    Faults,
    RequestStats,
    SimulatorError,
    simulator_app,
)

SECRET = "db password is hunter2"


class ShopError(SimulatorError):
    """The API's own error."""


class ShopErrors(ErrorDialect[ShopError]):
    """Says which of its methods rendered each answer."""

    error_type = ShopError

    def api_error(self, error: ShopError) -> Response:
        body = {"by": "api_error", "message": error.message, "detail": error.detail}
        return JSONResponse(body, error.status, headers=error.headers)

    def http_error(self, request: Request, error: HTTPException) -> Response:
        body = {"by": "http_error", "route": f"{request.method} {request.url.path}"}
        return JSONResponse(body, error.status_code)

    def unexpected(self) -> Response:
        return JSONResponse({"by": "unexpected"}, 500)

    def fault(self, fault: Fault, path: str) -> Response:
        return JSONResponse({"by": "fault", "path": path}, fault.status or 500, fault.headers())

    def control_error(self, status: int, message: str, detail: str) -> Response:
        return JSONResponse({"by": "control_error", "message": message}, status)


async def sold_out(request: Request) -> Response:
    raise ShopError(409, "Sold out", "no more items", headers={"X-Restock": "tomorrow"})


async def broken(request: Request) -> Response:
    raise RuntimeError(SECRET)


async def items(request: Request) -> Response:
    return JSONResponse({"items": [1, 2]})


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def client(faults: Faults) -> Iterator[TestClient]:
    controls = Controls(faults=faults, stats=RequestStats(), reset=faults.reset)
    routes = [Route("/items", items), Route("/sold-out", sold_out), Route("/broken", broken)]
    app = simulator_app(routes, controls=controls, errors=ShopErrors())
    # The unexpected exception is re-raised after its answer: only the answer matters here.
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_the_apis_own_error_is_rendered_by_api_error(client: TestClient) -> None:
    response = client.get("/sold-out")
    assert response.status_code == 409
    assert response.json() == {"by": "api_error", "message": "Sold out", "detail": "no more items"}
    assert response.headers["x-restock"] == "tomorrow"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("DELETE", "/items", 405)],
    ids=["unknown-route", "unknown-method"],
)
def test_an_unknown_route_or_method_is_rendered_by_http_error(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.json() == {"by": "http_error", "route": f"{method} {path}"}


def test_an_unexpected_exception_is_a_500_without_the_exception(client: TestClient) -> None:
    response = client.get("/broken")
    assert response.status_code == 500
    assert response.json() == {"by": "unexpected"}
    assert SECRET not in response.text and "Traceback" not in response.text


def test_an_injected_fault_is_rendered_by_fault(client: TestClient, faults: Faults) -> None:
    faults.add(Fault("/items", 503, retry_after=1.5))
    response = client.get("/items")
    assert response.status_code == 503
    assert response.json() == {"by": "fault", "path": "/items"}
    assert response.headers["retry-after"] == "2"
    assert client.get("/items").json() == {"items": [1, 2]}


def test_a_bad_control_request_is_rendered_by_control_error(client: TestClient) -> None:
    response = client.post("/sandbox/faults", json={"path_prefix": "no-slash", "status": 500})
    assert response.status_code == 400
    assert response.json() == {"by": "control_error", "message": "Invalid fault"}
