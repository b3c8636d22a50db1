"""Authorization code with PKCE through the sign-in pages, over real HTTP like a browser."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from dev_idp import IdpServer
from dev_idp.headless import REDIRECT_URI, PublicClient, SignInError, fresh_otp, query_of, sign_in
from dev_idp.identities import subject_for
from dev_idp.login import MAX_ATTEMPTS
from mcp_common.auth import principal_from_claims


def hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page))


def alert(page: str) -> str:
    match = re.search(r'role="alert">([^<]*)<', page)
    return match.group(1) if match else ""


# --- happy paths ------------------------------------------------------------------------


def test_a_person_without_mfa_signs_in_with_a_password(oauth: PublicClient) -> None:
    body = oauth.tokens("network-engineer")
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["refresh_token"]
    claims = oauth.claims(body["access_token"])
    assert claims["sub"] == subject_for("network-engineer")
    assert claims["aud"] == oauth.resource == "http://127.0.0.1:18002/mcp"
    assert claims["client_id"] == claims["azp"] == oauth.client_id
    assert claims["groups"] == ["network-engineers"]
    assert claims["amr"] == ["pwd"]
    assert claims["acr"] == "1"
    assert claims["scope"] == "openid profile"


def test_an_mfa_identity_adds_a_one_time_code_and_amr_says_so(oauth: PublicClient) -> None:
    claims = oauth.claims(oauth.tokens("network-engineer-mfa")["access_token"])
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    assert claims["acr"] == "mfa"
    assert claims["sub"] == subject_for("network-engineer-mfa")


def test_mcp_common_sees_mfa_in_a_signed_in_token(oauth: PublicClient, idp: IdpServer) -> None:
    with_mfa = oauth.claims(oauth.tokens("service-desk")["access_token"])
    without = oauth.claims(oauth.tokens("developer")["access_token"])
    methods = ("mfa", "otp", "hwk", "duo")  # CommonSettings.oidc_mfa_methods
    assert principal_from_claims(with_mfa, groups_claim="groups", mfa_methods=methods).mfa
    assert not principal_from_claims(without, groups_claim="groups", mfa_methods=methods).mfa


def test_an_id_token_names_the_client_and_echoes_the_nonce(oauth: PublicClient) -> None:
    body = oauth.tokens("developer", nonce="n-0S6_WzA2Mj")
    id_token = oauth.claims(body["id_token"], audience=oauth.client_id)
    assert id_token["nonce"] == "n-0S6_WzA2Mj"
    assert id_token["sub"] == subject_for("developer")


def test_the_login_page_has_labelled_fields_and_no_secret_in_urls(
    oauth: PublicClient, http: httpx.Client
) -> None:
    page = http.get(oauth.authorize_url())
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    html = page.text
    assert '<label for="username">' in html and 'id="username" name="username"' in html
    assert '<label for="password">' in html and 'type="password"' in html
    assert set(hidden(html)) == {"txn", "csrf"}
    assert 'method="post"' in html
    callback = oauth.sign_in("developer")
    assert set(query_of(callback)) == {"code", "state", "iss"}
    assert query_of(callback)["iss"] == oauth.idp.issuer  # RFC 9207


# --- refused sign-ins -------------------------------------------------------------------


def test_a_wrong_password_stays_on_the_page_with_an_error(oauth: PublicClient) -> None:
    with pytest.raises(SignInError, match="Wrong username or password"):
        sign_in(oauth.authorize_url(), "developer", "not-the-secret")


@pytest.mark.parametrize("username", ["nobody", "temporal-worker"])
def test_unknown_people_and_workloads_cannot_sign_in(
    username: str, oauth: PublicClient, idp: IdpServer
) -> None:
    secret = "x" if username == "nobody" else idp.secret(username)
    with pytest.raises(SignInError, match="Wrong username or password"):
        sign_in(oauth.authorize_url(), username, secret)


def test_a_wrong_one_time_code_is_refused_and_a_used_one_too(
    oauth: PublicClient, idp: IdpServer
) -> None:
    secret = idp.secret("admin")
    with pytest.raises(SignInError, match="Wrong or already used code"):
        sign_in(oauth.authorize_url(), "admin", secret, otp=lambda: "000000")
    used = fresh_otp(idp, "admin")
    first = sign_in(oauth.authorize_url(), "admin", secret, otp=lambda: used)
    assert "code" in query_of(first)
    with pytest.raises(SignInError, match="Wrong or already used code"):
        sign_in(oauth.authorize_url(), "admin", secret, otp=lambda: used)


def test_too_many_wrong_passwords_end_in_access_denied(
    oauth: PublicClient, http: httpx.Client
) -> None:
    with httpx.Client(timeout=10) as browser:
        page = browser.get(oauth.authorize_url())
        for attempt in range(MAX_ATTEMPTS):
            form = {**hidden(page.text), "username": "developer", "password": f"guess{attempt}"}
            page = browser.post(oauth.idp.endpoint("/authorize"), data=form)
            if attempt < MAX_ATTEMPTS - 1:
                assert page.status_code == 200
                assert alert(page.text) == "Wrong username or password."
    assert page.status_code == 302
    query = query_of(page.headers["location"])
    assert query["error"] == "access_denied" and query["state"] == oauth.state


def test_cancel_returns_access_denied(oauth: PublicClient) -> None:
    with httpx.Client(timeout=10) as browser:
        page = browser.get(oauth.authorize_url())
        response = browser.post(
            oauth.idp.endpoint("/authorize"), data={**hidden(page.text), "cancel": "1"}
        )
    assert query_of(response.headers["location"])["error"] == "access_denied"


@pytest.mark.parametrize("defect", ["no-csrf", "wrong-csrf", "other-browser", "no-txn"])
def test_forms_without_the_transaction_csrf_token_and_cookie_are_refused(
    defect: str, oauth: PublicClient, idp: IdpServer
) -> None:
    with httpx.Client(timeout=10) as browser:
        form: dict[str, Any] = {
            **hidden(browser.get(oauth.authorize_url()).text),
            "username": "developer",
            "password": idp.secret("developer"),
        }
        if defect == "no-csrf":
            del form["csrf"]
        elif defect == "wrong-csrf":
            form["csrf"] = "forged"
        elif defect == "no-txn":
            del form["txn"]
        if defect == "other-browser":
            browser.cookies.clear()
        response = browser.post(idp.endpoint("/authorize"), data=form)
    assert response.status_code == 400
    assert "expired or is not valid" in alert(response.text)


# --- refused authorization requests ---------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"resource": "http://127.0.0.1:9/unknown"}, "invalid_target"),
        ({"resource": "not a uri"}, "invalid_target"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
    ids=["no-pkce", "plain-pkce", "no-method", "unknown-resource", "bad-resource", "implicit"],
)
def test_bad_authorization_requests_go_back_to_the_client_with_the_error(
    params: dict[str, str | None], error: str, oauth: PublicClient, http: httpx.Client
) -> None:
    response = http.get(oauth.authorize_url(**params))
    assert response.status_code == 302
    assert response.headers["location"].startswith(REDIRECT_URI)
    query = query_of(response.headers["location"])
    assert query["error"] == error
    assert query["state"] == oauth.state
    assert query["iss"] == oauth.idp.issuer
    assert "code" not in query


@pytest.mark.parametrize(
    "params",
    [
        {"redirect_uri": "http://127.0.0.1:43210/other"},
        {"redirect_uri": "https://evil.example.com/callback"},
        {"client_id": "unknown-client"},
        {"client_id": None},
    ],
    ids=["other-path", "other-host", "unknown-client", "no-client"],
)
def test_an_unverifiable_redirect_uri_or_client_gets_an_error_page_not_a_redirect(
    params: dict[str, str | None], oauth: PublicClient, http: httpx.Client
) -> None:
    response = http.get(oauth.authorize_url(**params))
    assert response.status_code == 400
    assert "location" not in response.headers
    assert alert(response.text)


def test_a_loopback_redirect_uri_may_use_another_port(oauth: PublicClient) -> None:
    other_port = "http://127.0.0.1:50505/callback"
    callback = oauth.sign_in("developer", redirect_uri=other_port)
    assert callback.startswith(other_port)
    response = oauth.redeem(query_of(callback)["code"], redirect_uri=other_port)
    assert response.status_code == 200


# --- the token request ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"code_verifier": None}, "invalid_request"),
        ({"code_verifier": "x" * 50}, "invalid_grant"),
        ({"redirect_uri": "http://127.0.0.1:43210/elsewhere"}, "invalid_grant"),
        ({"resource": "http://127.0.0.1:18003/mcp"}, "invalid_target"),
        ({"code": "made-up"}, "invalid_grant"),
    ],
    ids=["no-verifier", "wrong-verifier", "other-redirect", "other-resource", "bad-code"],
)
def test_bad_code_redemptions_are_refused(
    form: dict[str, str | None], error: str, oauth: PublicClient
) -> None:
    code = oauth.code("developer")
    response = oauth.redeem(form.pop("code", None) or code, **form)  # type: ignore[arg-type]
    assert response.status_code in (400, 401)
    assert response.json()["error"] == error


def test_a_code_works_once_and_its_replay_revokes_what_it_gave(oauth: PublicClient) -> None:
    code = oauth.code("developer")
    first = oauth.redeem(code)
    assert first.status_code == 200
    replay = oauth.redeem(code)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    refused = oauth.refresh(first.json()["refresh_token"])
    assert refused.json()["error"] == "invalid_grant"


def test_a_code_is_bound_to_its_client(oauth: PublicClient, idp: IdpServer) -> None:
    code = oauth.code("developer")
    thief = PublicClient(idp, oauth.http, resource=oauth.resource, verifier=oauth.verifier)
    thief.register()
    assert thief.redeem(code).json()["error"] == "invalid_grant"
