"""Sign-in at the real dev issuer: authorization code + PKCE, MFA from the issuer's TOTP
step, a rotated server-side session, refresh, logout, and back to the page one was on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dev_idp import IdpServer
from mcp_console.sessions import COOKIE

from .console_stack import Stack, catalyst_center, query


@pytest.fixture
def stack(idp: IdpServer) -> Iterator[Stack]:
    stack = Stack(idp, [catalyst_center()])
    with stack.client:
        yield stack


def test_sign_in_uses_the_code_flow_with_pkce_and_returns_to_the_page(stack: Stack) -> None:
    start = stack.client.get("/auth/login?next=/tools/catalyst-center/list_devices")
    params = query(start.headers["location"])
    assert start.headers["location"].startswith(stack.idp.issuer + "/authorize")
    assert params["client_id"] == ["mcp-console"] and params["response_type"] == ["code"]
    assert params["code_challenge_method"] == ["S256"] and params["code_challenge"][0]
    assert params["redirect_uri"] == ["http://127.0.0.1:8010/auth/callback"]
    answer = stack.sign_in("network-engineer", "/tools/catalyst-center/list_devices")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/tools/catalyst-center/list_devices"
    page = stack.client.get("/tools")
    assert page.status_code == 200 and "network-engineer" in page.text
    assert "badge mfa" not in page.text


def test_an_mfa_identity_signs_in_with_a_one_time_code(stack: Stack) -> None:
    assert stack.sign_in("network-engineer-mfa").status_code == 303
    assert '<span class="badge mfa"' in stack.client.get("/tools").text


def test_the_session_id_changes_at_sign_in(stack: Stack) -> None:
    stack.client.get("/auth/login?next=/tools")
    before = stack.client.cookies[COOKIE]
    stack.sign_in("developer")
    assert stack.client.cookies[COOKIE] != before
    assert stack.app.state.store.get(before) is None


def test_a_cancelled_sign_in_explains_and_offers_to_retry(stack: Stack) -> None:
    stack.client.get("/auth/login?next=/status")
    page = stack.client.get("/auth/callback?error=access_denied&state=x")
    assert page.status_code == 400 and "Sign-in was cancelled." in page.text
    assert "/auth/login?next=/status" in page.text


def test_a_stale_callback_starts_again(stack: Stack) -> None:
    stack.client.get("/auth/login?next=/status")
    answer = stack.client.get("/auth/callback?code=x&state=not-ours")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/auth/login")


def test_an_expiring_token_is_refreshed_and_a_refused_refresh_means_sign_in_again(
    stack: Stack,
) -> None:
    stack.sign_in("developer")
    session = stack.app.state.store.get(stack.client.cookies[COOKIE])
    old = dict(session.data["tokens"])
    session.data["tokens"]["expires_at"] = 0
    assert stack.client.get("/tools").status_code == 200
    assert session.data["tokens"]["access_token"] != old["access_token"]
    session.data["tokens"].update(expires_at=0, refresh_token="spent")
    answer = stack.client.get("/tools")
    assert answer.status_code == 303 and answer.headers["location"] == "/auth/login?next=%2Ftools"


def test_logout_ends_the_session(stack: Stack) -> None:
    stack.sign_in("developer")
    session_id = stack.client.cookies[COOKIE]
    answer = stack.client.post("/auth/logout", data={"csrf": stack.csrf()})
    assert answer.status_code == 303 and answer.headers["location"] == "/signed-out"
    assert stack.app.state.store.get(session_id) is None
    assert stack.client.get("/tools").status_code == 303
