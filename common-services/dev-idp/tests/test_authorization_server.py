"""Dynamic client registration (RFC 7591) and introspection on authlib's server classes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dev_idp import IdpServer
from dev_idp.headless import REDIRECT_URI, PublicClient


def register(http: httpx.Client, idp: IdpServer, body: Any) -> httpx.Response:
    return http.post(idp.endpoint("/register"), json=body)


def test_a_public_client_registers_and_gets_no_secret(idp: IdpServer, http: httpx.Client) -> None:
    client = PublicClient(idp, http)
    registered = client.register(client_name="Inspector")
    assert registered["client_id"].startswith("dcr-")
    assert "client_secret" not in registered
    assert registered["token_endpoint_auth_method"] == "none"
    assert registered["redirect_uris"] == [REDIRECT_URI]
    assert registered["grant_types"] == ["authorization_code", "refresh_token"]
    assert registered["client_id_issued_at"] > 0


def test_a_confidential_registration_gets_a_secret_it_must_use(
    idp: IdpServer, http: httpx.Client
) -> None:
    body = {"redirect_uris": [REDIRECT_URI], "token_endpoint_auth_method": "client_secret_post"}
    registered = register(http, idp, body).json()
    assert registered["client_secret"] and registered["client_secret_expires_at"] == 0
    client = PublicClient(idp, http, client_id=registered["client_id"])
    code = client.code("developer")
    assert client.redeem(code).json()["error"] == "invalid_client"
    code = client.code("developer")
    ok = client.redeem(code, client_secret=registered["client_secret"])
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "invalid_redirect_uri"),
        ({"redirect_uris": []}, "invalid_redirect_uri"),
        ({"redirect_uris": ["http://evil.example.com/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://app.example.com/cb#x"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["javascript:alert(1)"]}, "invalid_redirect_uri"),
        ({"redirect_uris": [REDIRECT_URI], "grant_types": ["client_credentials"]},
         "invalid_client_metadata"),
        ({"redirect_uris": [REDIRECT_URI], "grant_types": ["refresh_token"]},
         "invalid_client_metadata"),
        ({"redirect_uris": [REDIRECT_URI], "token_endpoint_auth_method": "private_key_jwt"},
         "invalid_client_metadata"),
        ({"redirect_uris": [REDIRECT_URI], "response_types": ["token"]},
         "invalid_client_metadata"),
    ],
)  # fmt: skip
def test_bad_registrations_are_refused(
    body: dict[str, Any], error: str, idp: IdpServer, http: httpx.Client
) -> None:
    response = register(http, idp, body)
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_registration_takes_json_only(idp: IdpServer, http: httpx.Client) -> None:
    response = http.post(idp.endpoint("/register"), content=b"redirect_uris=x")
    assert response.status_code == 400


def test_private_use_schemes_are_allowed_for_native_apps(
    idp: IdpServer, http: httpx.Client
) -> None:
    body = {
        "redirect_uris": ["com.example.app:/oauth2redirect"],
        "token_endpoint_auth_method": "none",
    }
    assert register(http, idp, body).status_code == 201


def test_a_signed_in_token_introspects_with_its_sign_in(
    oauth: PublicClient, idp: IdpServer, http: httpx.Client
) -> None:
    token = oauth.tokens("network-engineer")["access_token"]
    auth = ("rest-api-proxy", idp.secret("rest-api-proxy"))
    body = http.post(idp.endpoint("/introspect"), data={"token": token}, auth=auth).json()
    assert body["active"] is True
    assert body["client_id"] == oauth.client_id
    assert body["username"] == "network-engineer"
    assert body["amr"] == ["pwd"]
    assert body["aud"] == oauth.resource


def test_a_public_client_may_not_introspect(oauth: PublicClient, http: httpx.Client) -> None:
    response = http.post(
        oauth.idp.endpoint("/introspect"), data={"token": "x", "client_id": oauth.client_id}
    )
    assert response.status_code == 401
