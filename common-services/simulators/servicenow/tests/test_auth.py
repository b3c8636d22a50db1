"""Authentication: HTTP Basic, OAuth password/refresh grants, token expiry."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from servicenow_simulator import create_servicenow_app
from simulator_kit.serve import BackgroundServer

UNAUTHENTICATED = {
    "error": {
        "message": "User Not Authenticated",
        "detail": "Required to provide Auth information",
    },
    "status": "failure",
}
TABLE = "/api/now/table/incident"


def token_of(client: httpx.Client, form: dict[str, str]) -> dict[str, Any]:
    response = client.post("/oauth_token.do", data=form)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_basic_auth_with_the_integration_user_reads_a_table(sn: httpx.Client) -> None:
    assert sn.get(TABLE).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic aW50ZWdyYXRpb246d3Jvbmc="},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic !!!"},
    ],
    ids=["missing", "wrong-password", "unknown-token", "malformed-basic"],
)
def test_missing_or_wrong_credentials_get_the_real_401_body(
    anon: httpx.Client, headers: dict[str, str]
) -> None:
    response = anon.get(TABLE, headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert response.headers["www-authenticate"].lower().startswith("basic")


def test_password_grant_returns_a_bearer_token_that_works(anon: httpx.Client, creds: Any) -> None:
    token = token_of(anon, creds.password_grant())
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 1800
    assert token["scope"] == "useraccount"
    assert token["access_token"] and token["refresh_token"]
    assert anon.get(TABLE, headers=bearer(token["access_token"])).status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_secret": "wrong"},
        {"client_id": "other"},
        {"password": "wrong"},
        {"username": "admin"},
    ],
)
def test_password_grant_with_bad_credentials_is_denied(
    anon: httpx.Client, creds: Any, overrides: dict[str, str]
) -> None:
    response = anon.post("/oauth_token.do", data=creds.password_grant(**overrides))
    assert response.status_code == 401
    assert response.json() == {"error_description": "access_denied", "error": "server_error"}


def test_unsupported_grant_type_is_a_bad_request(anon: httpx.Client, creds: Any) -> None:
    response = anon.post("/oauth_token.do", data=creds.password_grant(grant_type="implicit"))
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_client_credentials_grant_acts_as_the_integration_user(
    anon: httpx.Client, creds: Any
) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
    }
    token = token_of(anon, form)
    assert "refresh_token" not in token
    created = anon.post(
        TABLE, json={"short_description": "via cc"}, headers=bearer(token["access_token"])
    )
    assert created.json()["result"]["sys_created_by"] == creds.user


def test_expired_tokens_get_401_and_the_refresh_token_gets_a_new_one(
    anon: httpx.Client, creds: Any
) -> None:
    token = token_of(anon, creds.password_grant())
    assert anon.post("/sandbox/tokens/expire").json() == {"expired": 1}
    expired = anon.get(TABLE, headers=bearer(token["access_token"]))
    assert expired.status_code == 401
    assert expired.json() == UNAUTHENTICATED

    refreshed = token_of(
        anon,
        {
            "grant_type": "refresh_token",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "refresh_token": token["refresh_token"],
        },
    )
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] == token["refresh_token"]
    assert anon.get(TABLE, headers=bearer(refreshed["access_token"])).status_code == 200


def test_an_unknown_refresh_token_is_denied(anon: httpx.Client, creds: Any) -> None:
    response = anon.post(
        "/oauth_token.do",
        data={
            "grant_type": "refresh_token",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "refresh_token": "forged",
        },
    )
    assert response.status_code == 401


def test_access_tokens_expire_after_token_ttl(creds: Any) -> None:
    app = create_servicenow_app(
        password=creds.password, client_secret=creds.client_secret, token_ttl=1
    )
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as client:
        token = token_of(client, creds.password_grant())
        assert token["expires_in"] == 1
        assert client.get(TABLE, headers=bearer(token["access_token"])).status_code == 200
        time.sleep(1.05)
        assert client.get(TABLE, headers=bearer(token["access_token"])).status_code == 401


def test_oauth_is_off_without_a_client_secret(creds: Any) -> None:
    app = create_servicenow_app(password=creds.password)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as client:
        response = client.post("/oauth_token.do", data=creds.password_grant(client_secret=""))
        assert response.status_code == 401


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"password": ""}, "password"),
        ({"password": "x", "username": ""}, "username"),
        ({"password": "x", "client_secret": ""}, "client_secret"),
        ({"password": "x", "client_id": ""}, "client_id"),
        ({"password": "x", "token_ttl": 0}, "token_ttl"),
    ],
)
def test_the_factory_rejects_invalid_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_servicenow_app(**kwargs)
