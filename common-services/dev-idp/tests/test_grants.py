"""Refresh tokens (rotation, reuse detection) and resource indicators on every grant."""

from __future__ import annotations

import httpx
import jwt
import pytest

from dev_idp import IdpServer
from dev_idp.headless import PublicClient
from dev_idp.identities import subject_for

OTHER = "http://127.0.0.1:18003/mcp"


def unverified(token: str) -> dict[str, object]:
    claims: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return claims


# --- refresh rotation -----------------------------------------------------------------------


def test_a_refresh_rotates_the_refresh_token_and_keeps_the_sign_in(oauth: PublicClient) -> None:
    first = oauth.tokens("network-engineer-mfa")
    response = oauth.refresh(first["refresh_token"])
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    claims = oauth.claims(second["access_token"])
    assert claims["amr"] == ["pwd", "otp", "mfa"]  # as at sign-in
    assert claims["aud"] == oauth.resource
    assert claims["scope"] == "openid profile"
    assert claims["jti"] != oauth.claims(first["access_token"])["jti"]


def test_a_used_refresh_token_is_dead_and_its_reuse_revokes_the_family(
    oauth: PublicClient,
) -> None:
    first = oauth.tokens("developer")["refresh_token"]
    second = oauth.refresh(first).json()["refresh_token"]
    reuse = oauth.refresh(first)
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    # The reuse suggests theft: the legitimate successor is revoked too.
    assert oauth.refresh(second).json()["error"] == "invalid_grant"


def test_a_refresh_token_is_bound_to_its_client(oauth: PublicClient, idp: IdpServer) -> None:
    token = oauth.tokens("developer")["refresh_token"]
    other = PublicClient(idp, oauth.http, resource=oauth.resource)
    other.register()
    assert other.refresh(token).json()["error"] == "invalid_grant"


def test_a_refresh_may_narrow_the_scope_but_not_widen_it(oauth: PublicClient) -> None:
    token = oauth.tokens("developer")["refresh_token"]
    narrowed = oauth.refresh(token, scope="openid").json()
    assert narrowed["scope"] == "openid"
    wider = oauth.refresh(narrowed["refresh_token"], scope="openid profile email")
    assert wider.json()["error"] == "invalid_scope"


def test_a_refresh_for_another_resource_than_granted_is_invalid_target(
    oauth: PublicClient,
) -> None:
    token = oauth.tokens("developer")["refresh_token"]
    response = oauth.refresh(token, resource=OTHER)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_target"


def test_a_client_without_the_refresh_grant_gets_no_refresh_token(
    idp: IdpServer, http: httpx.Client
) -> None:
    client = PublicClient(idp, http, resource=None)
    client.register(grant_types=["authorization_code"])
    body = client.tokens("developer")
    assert "refresh_token" not in body
    assert client.claims(body["access_token"])["aud"] == idp.audience


# --- resource indicators (RFC 8707) ---------------------------------------------------------


def test_client_credentials_bind_aud_to_the_resource(idp: IdpServer) -> None:
    assert unverified(idp.token("developer", resource=OTHER))["aud"] == OTHER
    assert unverified(idp.token("developer", resource=OTHER + "/"))["aud"] == OTHER
    assert unverified(idp.token("developer"))["aud"] == idp.audience


@pytest.mark.parametrize(
    "resource",
    ["http://127.0.0.1:9/mcp", "relative/path", "http://127.0.0.1:18003/mcp#frag", "urn:x:y"],
)
def test_client_credentials_for_an_unknown_or_malformed_resource_are_invalid_target(
    resource: str, idp: IdpServer
) -> None:
    with pytest.raises(httpx.HTTPStatusError) as refused:
        idp.token("developer", resource=resource)
    assert refused.value.response.status_code == 400
    assert refused.value.response.json()["error"] == "invalid_target"


def test_without_a_configured_list_any_absolute_http_uri_is_a_resource() -> None:
    with IdpServer() as open_idp:
        token = open_idp.token("developer", resource="http://127.0.0.1:1/mcp")
        assert unverified(token)["aud"] == "http://127.0.0.1:1/mcp"
        with pytest.raises(httpx.HTTPStatusError):
            open_idp.token("developer", resource="ftp://example.com/x")


def test_a_code_authorized_without_resource_may_name_one_at_the_token_endpoint(
    oauth: PublicClient,
) -> None:
    code = oauth.code("developer", resource=None)
    body = oauth.redeem(code, resource=OTHER).json()
    assert unverified(body["access_token"])["aud"] == OTHER


def test_client_credentials_on_behalf_of_also_name_the_workload_in_act(idp: IdpServer) -> None:
    person = subject_for("network-engineer")
    claims = unverified(idp.token("temporal-worker", requested_on_behalf_of=person))
    assert claims["on_behalf_of"] == person
    assert claims["act"] == {"sub": "temporal-worker"}
