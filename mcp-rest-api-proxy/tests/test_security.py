"""Gatekeeper: bearer tokens verified, failures closed, refusals naming action and resource."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from mcp_common.auth import Principal
from mcp_common.policy import CachingAuthorizer
from mcp_common.testing import StaticAuthorizer, StaticVerifier
from mcp_rest_api_proxy.problems import ProxyProblem
from mcp_rest_api_proxy.security import Gatekeeper

DEV = Principal(subject="dev", groups=frozenset({"developers"}))


def request(authorization: str | None) -> Request:
    headers = [(b"authorization", authorization.encode())] if authorization else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


class ExplodingVerifier(StaticVerifier):
    async def verify(self, token: str) -> Principal:
        raise RuntimeError("JWKS parser crashed")


def gate(verifier: StaticVerifier | None = None, allow: bool = True) -> Gatekeeper:
    authorizer = CachingAuthorizer(StaticAuthorizer(lambda _: allow))
    return Gatekeeper(verifier or StaticVerifier({"good": DEV}), authorizer)


async def test_a_good_token_gives_the_principal_and_the_token() -> None:
    assert await gate().authenticate(request("Bearer good")) == (DEV, "good")


@pytest.mark.parametrize("header", [None, "Basic Z29vZA==", "Bearer", "Bearer  "])
async def test_no_bearer_token_is_401_with_a_challenge(header: str | None) -> None:
    with pytest.raises(ProxyProblem) as caught:
        await gate().authenticate(request(header))
    assert caught.value.status == 401
    assert caught.value.headers["WWW-Authenticate"] == 'Bearer realm="mcp-rest-api-proxy"'


@pytest.mark.parametrize("pair", [("Bearer good", "Bearer bad"), ("Bearer bad", "Bearer good")])
async def test_two_authorization_headers_are_400_whichever_comes_first(
    pair: tuple[str, str],
) -> None:
    headers = [(b"authorization", value.encode()) for value in pair]
    duplicated = Request({"type": "http", "method": "GET", "path": "/", "headers": headers})
    with pytest.raises(ProxyProblem) as caught:
        await gate().authenticate(duplicated)
    assert caught.value.status == 400
    assert 'error="invalid_request"' in caught.value.headers["WWW-Authenticate"]


async def test_a_verifier_crash_is_a_refusal_not_a_500() -> None:
    with pytest.raises(ProxyProblem) as caught:
        await gate(ExplodingVerifier({})).authenticate(request("Bearer good"))
    assert caught.value.status == 401 and "crashed" not in caught.value.detail
    assert 'error="invalid_token"' in caught.value.headers["WWW-Authenticate"]


async def test_a_policy_refusal_is_403_naming_action_and_resource() -> None:
    with pytest.raises(ProxyProblem) as caught:
        await gate(allow=False).authorize(DEV, "write", server="github", tool="create_issue")
    assert caught.value.status == 403
    assert caught.value.extensions == {"action": "write", "resource": "rest-api-proxy"}


def test_a_realm_is_required() -> None:
    with pytest.raises(ValueError):
        Gatekeeper(StaticVerifier({}), CachingAuthorizer(StaticAuthorizer()), realm="")
