"""The worker's tokens, from the real dev issuer: its own identity, acting for a person."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jwt
import pytest

from mcp_common.errors import AuthenticationError, UpstreamError
from mcp_sandbox.identities import subject_for
from mcp_sandbox.idp_server import IdpServer
from temporal_service.activities.workload_token import WorkloadTokens

from .conftest import free_port

ALICE, BOB = subject_for("network-engineer-mfa"), subject_for("admin")


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def tokens_for(idp: IdpServer, secret: str | None = None, **options: Any) -> WorkloadTokens:
    value = secret or idp.secret("temporal-worker")

    async def source() -> str:
        return value

    return WorkloadTokens(idp.issuer, "temporal-worker", source, **options)


async def test_the_token_is_the_workers_own_and_names_the_person(idp: IdpServer) -> None:
    tokens = tokens_for(idp)
    token = claims(await tokens.token(ALICE))
    assert token["sub"] == subject_for("temporal-worker")
    assert token["groups"] == ["automation"] and token["on_behalf_of"] == ALICE
    await tokens.aclose()


async def test_tokens_are_cached_per_person_and_shared_by_concurrent_callers(
    idp: IdpServer,
) -> None:
    requests: list[str] = []

    async def count(request: httpx.Request) -> None:
        if request.url.path.endswith("/token"):
            requests.append(request.url.path)

    http = httpx.AsyncClient(event_hooks={"request": [count]})
    tokens = tokens_for(idp, http_client=http)
    first = await asyncio.gather(*(tokens.token(ALICE) for _ in range(5)))
    assert len(set(first)) == 1 and len(requests) == 1
    assert await tokens.token(ALICE) == first[0] and len(requests) == 1
    other = await tokens.token(BOB)
    assert other != first[0] and claims(other)["on_behalf_of"] == BOB and len(requests) == 2
    await http.aclose()


async def test_a_token_is_refreshed_before_it_expires(idp: IdpServer) -> None:
    clock = Clock()
    tokens = tokens_for(idp, clock=clock, refresh_margin=30)
    first = await tokens.token(ALICE)
    clock.now += 300 - 31  # the dev issuer's tokens live 300 s
    assert await tokens.token(ALICE) == first
    clock.now += 2
    renewed = await tokens.token(ALICE)
    assert renewed != first and claims(renewed)["jti"] != claims(first)["jti"]
    tokens.invalidate(ALICE)
    assert await tokens.token(ALICE) != renewed
    await tokens.aclose()


@pytest.mark.parametrize(
    ("person", "secret"),
    [
        (subject_for("nobody"), None),  # the issuer does not know this person
        (subject_for("temporal-worker"), None),  # a workload never acts for a workload
        (ALICE, "wrong-secret"),
    ],
)
async def test_a_refusal_of_the_issuer_is_an_authentication_error(
    idp: IdpServer, person: str, secret: str | None
) -> None:
    tokens = tokens_for(idp, secret)
    with pytest.raises(AuthenticationError, match="refused the worker's token"):
        await tokens.token(person)
    await tokens.aclose()


async def test_an_unreachable_issuer_is_an_upstream_error_worth_retrying() -> None:
    async def source() -> str:
        return "x"

    tokens = WorkloadTokens(f"http://127.0.0.1:{free_port()}", "temporal-worker", source)
    with pytest.raises(UpstreamError, match="unreachable"):
        await tokens.token(ALICE)
    await tokens.aclose()


async def test_the_worker_always_acts_for_someone(idp: IdpServer) -> None:
    tokens = tokens_for(idp)
    with pytest.raises(ValueError, match="on_behalf_of"):
        await tokens.token("")
    await tokens.aclose()


@pytest.mark.parametrize(
    ("issuer", "client_id", "options"),
    [
        ("ftp://idp", "w", {}),
        ("http://idp", "", {}),
        ("http://idp", "w", {"refresh_margin": -1}),
        ("http://idp", "w", {"max_entries": 0}),
    ],
)
def test_the_constructor_refuses_bad_arguments(
    issuer: str, client_id: str, options: dict[str, Any]
) -> None:
    async def source() -> str:
        return "x"

    with pytest.raises(ValueError):
        WorkloadTokens(issuer, client_id, source, **options)
