"""The worker's tokens from the real dev issuer: the person's token exchanged, worker as actor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
import pytest_asyncio
from temporalio.testing import ActivityEnvironment

from dev_idp import IdpServer
from dev_idp.identities import subject_for
from mcp_common.auth import SubjectTokenRefused, TokenExchanger
from mcp_common.errors import AuthenticationError
from temporal_service.activities.support import current_delegation, serving
from temporal_service.activities.workload_token import DelegatedTokens

CC, SN = "http://127.0.0.1:8002/mcp", "http://127.0.0.1:8080/mcp"
ENGINEER = "network-engineer-mfa"


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


@pytest_asyncio.fixture
async def tokens(idp: IdpServer) -> AsyncIterator[DelegatedTokens]:
    exchanger = TokenExchanger(idp.issuer, "temporal-worker", idp.secret("temporal-worker"))
    yield DelegatedTokens(exchanger)
    await exchanger.aclose()


async def in_activity(delegation: str, body: Any) -> Any:
    """Run `body()` as an activity serving the engineer with this delegation."""

    async def activity() -> Any:
        with serving(subject_for(ENGINEER), delegation):
            return await body()

    return await ActivityEnvironment().run(activity)


async def test_the_token_is_the_person_s_for_one_server_naming_the_worker(
    idp: IdpServer, tokens: DelegatedTokens
) -> None:
    person = idp.token(ENGINEER)
    token = claims(await in_activity(person, lambda: tokens.token(subject_for(ENGINEER), CC)))
    assert token["sub"] == subject_for(ENGINEER) and token["groups"] == ["network-engineers"]
    assert token["aud"] == CC and token["act"] == {"sub": "temporal-worker"}
    assert "on_behalf_of" not in token
    assert "mfa" in token["amr"] or "duo" in token["amr"]  # the person's sign-in, kept


async def test_one_exchange_per_server_reused_and_dropped_when_a_server_refuses_it(
    idp: IdpServer, tokens: DelegatedTokens
) -> None:
    person = idp.token(ENGINEER)
    obo = subject_for(ENGINEER)

    async def body() -> list[str]:
        found = [await tokens.token(obo, CC), await tokens.token(obo, CC)]
        found.append(await tokens.token(obo, SN))
        tokens.invalidate(obo, CC)
        found.append(await tokens.token(obo, CC))
        return found

    first, again, other, renewed = await in_activity(person, body)
    assert first == again and claims(other)["aud"] == SN and renewed != first
    assert tokens.exchanger.requests == 3


async def test_without_a_delegation_there_is_no_token(tokens: DelegatedTokens) -> None:
    assert current_delegation() == ""
    with pytest.raises(AuthenticationError, match="no delegation"):
        await in_activity("", lambda: tokens.token(subject_for(ENGINEER), CC))
    with pytest.raises(ValueError, match="on_behalf_of"):
        await tokens.token("", CC)


async def test_an_expired_delegation_ends_the_worker_s_rights(
    idp: IdpServer, tokens: DelegatedTokens
) -> None:
    expired = idp.mint(ENGINEER, exp=1_000, iat=900)
    with pytest.raises(SubjectTokenRefused):
        await in_activity(expired, lambda: tokens.token(subject_for(ENGINEER), CC))
