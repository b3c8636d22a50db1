"""OPAAuthorizer: OPA's REST contract, the embedded engine's answers, fail closed on faults."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import math
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import respx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mcp_common.errors import PolicyEngineError
from mcp_common.policy import CachingAuthorizer, OPAAuthorizer, RegoAuthorizer
from platform_testkit.policy_cases import EXPECTED, UNION_CASES, policy_request

REPO = Path(__file__).parents[3]
POLICY = REPO / "common-services" / "opa" / "policy.rego"
OPA_URL = "http://127.0.0.1:8181"  # only ever reached through respx in the contract tests
DECISION_URL = OPA_URL + "/v1/data/authz/allow"


CASES: list[tuple[tuple[str, ...], str, str, bool, bool]] = [
    (*case, allowed) for case, allowed in EXPECTED.items()
] + UNION_CASES

# A table case as a request whose arguments hold a secret no error may quote.
request = functools.partial(policy_request, arguments={"password": "hunter2-not-for-logs"})


@pytest.fixture(scope="module")
def embedded() -> RegoAuthorizer:
    return RegoAuthorizer(POLICY)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# path -> (HTTP status, body) of the misbehaving endpoints of the stand-in OPA below.
FAULT_ANSWERS = {
    "500": (500, b'{"code": "internal_error"}'),
    "503": (503, b"unavailable"),
    "garbage": (200, b"<html>not json"),
    "yes": (200, b'{"result": "yes"}'),
    "null": (200, b'{"result": null}'),
    "undefined": (200, b"{}"),
    "list": (200, b"[true]"),
}


# --- a local stand-in for OPA: the real policy behind OPA's REST API, plus faults -------


@pytest_asyncio.fixture(scope="module")
async def opa_server(embedded: RegoAuthorizer) -> AsyncIterator[str]:
    """Serve OPA's endpoints on 127.0.0.1; extra paths misbehave on purpose."""
    release = asyncio.Event()

    async def decide(request: Request) -> Response:
        body = await request.json()
        return JSONResponse({"result": embedded.evaluate(body["input"])})

    async def slow(request: Request) -> Response:
        # Answers after 5 s, or as soon as the fixture is torn down.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(release.wait(), timeout=5)
        return JSONResponse({"result": True})

    async def fault(request: Request) -> Response:
        status, body = FAULT_ANSWERS[request.path_params["name"]]
        return Response(body, status_code=status, media_type="application/json")

    app = Starlette(
        routes=[
            Route("/v1/data/authz/allow", decide, methods=["POST"]),
            Route("/slow", slow, methods=["POST"]),
            Route("/fault/{name}", fault, methods=["POST"]),
            Route("/health", lambda _: JSONResponse({}), methods=["GET"]),
            Route("/sick/health", lambda _: JSONResponse({}, status_code=500), methods=["GET"]),
        ]
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes only this flag
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    release.set()
    server.should_exit = True
    await task
    sock.close()


# --- contract and same answers as the embedded engine (respx -> real policy) ------------


def _opa_route(embedded: RegoAuthorizer, seen: list[dict[str, Any]]) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.headers["content-type"] == "application/json"
        body = json.loads(request.content)
        assert set(body) == {"input"}
        seen.append(body["input"])
        return httpx.Response(200, json={"result": embedded.evaluate(body["input"])})

    return answer


async def test_remote_engine_gives_the_table_answers_like_the_embedded_one(
    embedded: RegoAuthorizer, respx_mock: respx.MockRouter
) -> None:
    seen: list[dict[str, Any]] = []
    respx_mock.post(DECISION_URL).mock(side_effect=_opa_route(embedded, seen))
    remote = OPAAuthorizer(OPA_URL)
    mismatches = []
    for groups, resource, action, mfa, allowed in CASES:
        req = request(groups, resource, action, mfa)
        remote_answer = await remote.decide(req)
        embedded_answer = await embedded.decide(req)
        if not (remote_answer is embedded_answer is allowed):
            mismatches.append((groups, resource, action, mfa, remote_answer, embedded_answer))
    await remote.aclose()
    assert mismatches == []
    assert len(seen) == len(CASES) == 216 + len(UNION_CASES)


async def test_request_carries_the_policy_input_under_input(
    embedded: RegoAuthorizer, respx_mock: respx.MockRouter
) -> None:
    seen: list[dict[str, Any]] = []
    respx_mock.post(DECISION_URL).mock(side_effect=_opa_route(embedded, seen))
    remote = OPAAuthorizer(OPA_URL + "/")  # a trailing slash does not double up
    req = request(("network-engineers",), "radkit", "execute", True)
    assert await remote.decide(req) is True
    await remote.aclose()
    assert seen == [req.policy_input()]


async def test_path_selects_the_decision_document_and_false_is_a_deny(
    respx_mock: respx.MockRouter,
) -> None:
    route = respx_mock.post(OPA_URL + "/v1/data/platform/allow")
    route.respond(json={"result": False, "decision_id": "d-1"})
    remote = OPAAuthorizer(OPA_URL, path="/v1/data/platform/allow")
    assert await remote.decide(request()) is False
    await remote.aclose()
    assert route.call_count == 1


async def test_undefined_answer_raises_and_is_a_deny(respx_mock: respx.MockRouter) -> None:
    # OPA answers `{}` when the rule is undefined (policy not loaded, wrong path).
    respx_mock.post(DECISION_URL).respond(json={})
    remote = OPAAuthorizer(OPA_URL)
    with pytest.raises(PolicyEngineError, match="no result"):
        await remote.decide(request())
    decision = await CachingAuthorizer(remote).authorize(request())
    await remote.aclose()
    assert decision.allowed is False


# --- a real HTTP round trip ----------------------------------------------------------------


async def test_decides_over_http_with_the_real_policy(opa_server: str) -> None:
    opa = OPAAuthorizer(opa_server)
    assert opa.name == "remote"  # the `authz.engine` of its audit events
    assert await opa.decide(request(("developers",), "github", "write")) is True
    assert await opa.decide(request(("developers",), "radkit", "read")) is False
    assert await opa.decide(request(("admin",), "catalyst-center", "write")) is False
    assert await opa.decide(request(("admin",), "catalyst-center", "write", True)) is True
    await opa.aclose()


async def test_ready_only_when_health_answers_200(opa_server: str) -> None:
    opa = OPAAuthorizer(opa_server)
    sick = OPAAuthorizer(opa_server + "/sick")
    down = OPAAuthorizer(f"http://127.0.0.1:{_closed_port()}")
    assert [await opa.ready(), await sick.ready(), await down.ready()] == [True, False, False]
    for authorizer in (opa, sick, down):
        await authorizer.aclose()


# --- OPA down, slow, or answering nonsense: an error, and a deny within the deadline ---

FAULTS = [
    pytest.param("/fault/500", "HTTP 500", id="http-500"),
    pytest.param("/fault/503", "HTTP 503", id="http-503"),
    pytest.param("/fault/garbage", "invalid JSON", id="garbage-json"),
    pytest.param("/fault/yes", "not a boolean", id="result-yes"),
    pytest.param("/fault/null", "not a boolean", id="result-null"),
    pytest.param("/fault/undefined", "no result", id="no-result"),
    pytest.param("/fault/list", "not a JSON object", id="not-an-object"),
    pytest.param("/slow", "within 1s", id="slow-5s"),
    pytest.param(None, "unreachable", id="connection-refused"),
]


@pytest.mark.parametrize(("path", "cause"), FAULTS)
async def test_faults_raise_naming_the_cause_and_deny_within_the_deadline(
    opa_server: str, path: str | None, cause: str
) -> None:
    # path None: nothing listens on the port at all.
    url = opa_server if path else f"http://127.0.0.1:{_closed_port()}"
    remote = OPAAuthorizer(url, path=path or "/v1/data/authz/allow", timeout=1.0)
    with pytest.raises(PolicyEngineError, match=cause) as caught:
        await remote.decide(request())
    assert "hunter2" not in str(caught.value)

    start = time.perf_counter()
    decision = await CachingAuthorizer(remote).authorize(request())
    elapsed = time.perf_counter() - start
    await remote.aclose()
    assert (decision.allowed, decision.engine) == (False, "remote")
    assert decision.reason == f"engine error: {caught.value}"
    assert elapsed < 1.2


async def test_slow_opa_is_cut_at_the_timeout_not_before(opa_server: str) -> None:
    remote = OPAAuthorizer(opa_server, path="/slow", timeout=0.3)
    start = time.perf_counter()
    with pytest.raises(PolicyEngineError, match=r"within 0\.3s"):
        await remote.decide(request())
    elapsed = time.perf_counter() - start
    await remote.aclose()
    assert 0.25 <= elapsed < 0.5


# --- client ownership and argument checks ------------------------------------------------


async def test_aclose_closes_only_a_client_it_created(opa_server: str) -> None:
    owner = OPAAuthorizer(opa_server)
    await owner.aclose()
    with pytest.raises(PolicyEngineError, match="closed"):
        await owner.decide(request())
    async with httpx.AsyncClient() as client:
        borrower = OPAAuthorizer(opa_server, client=client)
        await borrower.aclose()
        assert client.is_closed is False
        assert await borrower.decide(request()) is True


BAD_ARGUMENTS = [
    *[(url, {}, "url") for url in ("", "opa:8181", "127.0.0.1:8181", "ftp://opa", "http://")],
    *[(OPA_URL, {"timeout": t}, "timeout") for t in (0, -1, math.nan, math.inf, True, "1")],
    (OPA_URL, {"path": "v1/data/authz/allow"}, "path"),
]


@pytest.mark.parametrize(("url", "kwargs", "named"), BAD_ARGUMENTS)
def test_constructor_rejects_bad_arguments(url: str, kwargs: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        OPAAuthorizer(url, **kwargs)
