"""Specification of the issuer's OAuth plumbing over real HTTP: client authentication, bodies."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from urllib.parse import quote_plus

import httpx
import pytest

from dev_idp import IdpServer
from dev_idp.oauth import MAX_BODY

ODD_SECRET = "p@ss:w rd%+é"
GRANT = {"grant_type": "client_credentials"}


@pytest.fixture(scope="module")
def idp() -> Iterator[IdpServer]:
    with IdpServer(client_secrets={"service-desk": ODD_SECRET}) as server:
        yield server


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def post_token(http: httpx.Client, idp: IdpServer, **kwargs: object) -> httpx.Response:
    return http.post(idp.endpoint("/token"), **kwargs)  # type: ignore[arg-type]


def test_client_secret_basic_authenticates(idp: IdpServer, http: httpx.Client) -> None:
    response = post_token(http, idp, data=GRANT, headers=basic("admin", "admin-secret"))
    assert response.status_code == 200


def test_client_secret_post_authenticates(idp: IdpServer, http: httpx.Client) -> None:
    form = {**GRANT, "client_id": "developer", "client_secret": "developer-secret"}
    assert post_token(http, idp, data=form).status_code == 200


def test_basic_credentials_are_form_urlencoded_per_rfc6749(
    idp: IdpServer, http: httpx.Client
) -> None:
    response = post_token(http, idp, data=GRANT, headers=basic("service-desk", ODD_SECRET))
    assert response.status_code == 200
    assert idp.token("service-desk")


def test_a_configured_secret_replaces_the_dev_secret(idp: IdpServer, http: httpx.Client) -> None:
    response = post_token(http, idp, data=GRANT, auth=("service-desk", "service-desk-secret"))
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("headers", "form"),
    [
        (basic("admin", "wrong"), {}),
        (basic("nobody", "nobody-secret"), {}),
        ({}, {"client_id": "admin", "client_secret": "wrong"}),
        ({}, {"client_id": "admin"}),
        ({}, {}),
        ({"Authorization": "Basic !!!not-base64"}, {}),
        ({"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()}, {}),
    ],
    ids=[
        "wrong-secret",
        "unknown-client",
        "wrong-post",
        "no-secret",
        "none",
        "bad-b64",
        "no-colon",
    ],
)
def test_failed_client_authentication_is_401_invalid_client_with_basic_challenge(
    headers: dict[str, str], form: dict[str, str], idp: IdpServer, http: httpx.Client
) -> None:
    response = post_token(http, idp, data={**GRANT, **form}, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"] == 'Basic realm="mcp-sandbox"'
    assert response.headers["cache-control"] == "no-store"


def test_two_authentication_methods_at_once_are_refused(idp: IdpServer, http: httpx.Client) -> None:
    form = {**GRANT, "client_secret": "admin-secret"}
    response = post_token(http, idp, data=form, headers=basic("admin", "admin-secret"))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_client_id_field_must_match_basic_credentials(idp: IdpServer, http: httpx.Client) -> None:
    form = {**GRANT, "client_id": "developer"}
    response = post_token(http, idp, data=form, headers=basic("admin", "admin-secret"))
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"grant_type": "client_credentials"}', "application/json", 400),
        (b"grant_type=client_credentials&grant_type=password", None, 400),
        (b"grant_type=\xff\xfe", None, 400),
        (b"grant_type=client_credentials&pad=" + b"x" * MAX_BODY, None, 413),
    ],
    ids=["json", "repeated-parameter", "not-utf8", "too-large"],
)
def test_malformed_bodies_are_rejected_before_anything_is_issued(
    content: bytes, content_type: str | None, status: int, idp: IdpServer, http: httpx.Client
) -> None:
    headers = {
        "Content-Type": content_type or "application/x-www-form-urlencoded",
        **basic("admin", "admin-secret"),
    }
    response = post_token(http, idp, content=content, headers=headers)
    assert response.status_code == status
    assert response.json()["error"] == "invalid_request"


def test_failed_authentication_is_logged_without_the_secret(
    idp: IdpServer, http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="dev_idp"):
        post_token(http, idp, data=GRANT, headers=basic("admin", "hunter2-wrong"))
    records = [r for r in caplog.records if r.name == "dev_idp"]
    assert any(getattr(r, "client.id", None) == "admin" for r in records)
    assert all("hunter2" not in repr(vars(r)) for r in caplog.records)


def test_issued_tokens_never_reach_the_log(
    idp: IdpServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        tokens = [idp.token("admin"), idp.token("admin", token_format="opaque")]
        tokens.append(idp.mint("developer"))
    assert any(r.getMessage() == "token issued" for r in caplog.records)
    logged = " ".join(repr(vars(r)) for r in caplog.records)
    for token in tokens:
        assert token not in logged
        assert token.split(".")[-1] not in logged
    assert "admin-secret" not in logged
