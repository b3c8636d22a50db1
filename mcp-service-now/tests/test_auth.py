"""Credentials come from the secret; OAuth tokens are obtained, reused and renewed in time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mcp_common.errors import ConfigurationError
from mcp_service_now.auth import Credentials, OAuthSession
from mcp_service_now.errors import ServiceNowError

SECRET = {
    "instance_url": "https://acme.service-now.com/",
    "username": "svc",
    "password": "pw",
    "client_id": "cid",
    "client_secret": "cs",
    "verify_tls": "false",
}


def test_credentials_are_read_from_the_secret() -> None:
    creds = Credentials.from_secret(SECRET, "api/servicenow")
    assert creds.instance_url == "https://acme.service-now.com"
    assert creds.oauth is True and creds.verify_tls is False
    basic = Credentials.from_secret({**SECRET, "client_id": "", "client_secret": ""}, "p")
    assert basic.oauth is False and basic.client_id is None


def test_secret_values_never_appear_in_repr_or_errors() -> None:
    creds = Credentials.from_secret(SECRET, "api/servicenow")
    assert "pw" not in repr(creds).replace("password", "") and "'cs'" not in repr(creds)
    with pytest.raises(ConfigurationError) as exc:
        Credentials.from_secret({**SECRET, "verify_tls": "maybe-pw"}, "api/servicenow")
    assert "verify_tls" in str(exc.value) and "maybe" not in str(exc.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": ""}, "lacks password"),
        ({"instance_url": None, "username": None}, "lacks instance_url, username"),
        ({"instance_url": "ftp://acme"}, "http(s) URL"),
        ({"client_secret": ""}, "both or neither"),
    ],
)
def test_incomplete_secrets_are_configuration_errors(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match="api/servicenow") as exc:
        Credentials.from_secret({**SECRET, **change}, "api/servicenow")
    assert message in str(exc.value)


def test_rotated_credentials_change_the_fingerprint() -> None:
    creds = Credentials.from_secret(SECRET, "p")
    assert creds.fingerprint() == Credentials.from_secret(SECRET, "p").fingerprint()
    assert (
        creds.fingerprint()
        != Credentials.from_secret({**SECRET, "password": "x"}, "p").fingerprint()
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def creds(fresh: Any) -> Credentials:
    return Credentials(fresh.url, fresh.user, fresh.password, fresh.client_id, fresh.client_secret)


@pytest.fixture
async def http(fresh: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=fresh.url) as client:
        yield client


async def test_a_token_is_obtained_once_and_reused(
    creds: Credentials, http: httpx.AsyncClient, fresh: Any
) -> None:
    session = OAuthSession()
    first = await session.token(http, creds)
    assert await session.token(http, creds) == first
    assert session.grants == ["password"]
    assert fresh.requests("POST /oauth_token.do") == 1
    response = await http.get(
        "/api/now/table/incident", headers={"Authorization": f"Bearer {first}"}
    )
    assert response.status_code == 200


async def test_the_token_is_refreshed_before_it_expires(
    creds: Credentials, http: httpx.AsyncClient
) -> None:
    clock = Clock()
    session = OAuthSession(clock=clock, margin=60)
    first = await session.token(http, creds)
    clock.now += 1800 - 61  # the simulator's tokens live 1800 s
    assert await session.token(http, creds) == first
    clock.now += 2  # inside the margin: renewed with the refresh token, not the password
    second = await session.token(http, creds)
    assert second != first
    assert session.grants == ["password", "refresh_token"]


async def test_an_invalidated_token_is_replaced(
    creds: Credentials, http: httpx.AsyncClient
) -> None:
    session = OAuthSession()
    first = await session.token(http, creds)
    session.invalidate("some-other-token")
    assert await session.token(http, creds) == first
    session.invalidate(first)
    assert await session.token(http, creds) != first


async def test_a_refused_refresh_falls_back_to_the_password_grant(
    creds: Credentials, http: httpx.AsyncClient, fresh: Any
) -> None:
    session = OAuthSession()
    first = await session.token(http, creds)
    fresh.reset()  # the instance forgets every token, refresh tokens included
    session.invalidate(first)
    assert await session.token(http, creds) != first
    assert session.grants == ["password", "refresh_token", "password"]


async def test_rotated_credentials_get_a_new_token(
    creds: Credentials, http: httpx.AsyncClient
) -> None:
    session = OAuthSession()
    await session.token(http, creds)
    wrong = Credentials(
        creds.instance_url,
        creds.username,
        "rotated-elsewhere",
        creds.client_id,
        creds.client_secret,
    )
    with pytest.raises(ServiceNowError) as exc:
        await session.token(http, wrong)
    message = str(exc.value)
    assert exc.value.status == 401 and "OAuth token request refused" in message
    assert "access_denied" in message and "rotated-elsewhere" not in message


def test_the_margin_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="margin"):
        OAuthSession(margin=-1)
