"""Client ID Metadata Documents: the client_id is the URL of the client's own metadata."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dev_idp import IdpServer
from dev_idp.headless import REDIRECT_URI, PublicClient, query_of
from dev_idp.metadata_documents import MAX_DOCUMENT_BYTES, is_metadata_document_url
from simulator_kit.serve import BackgroundServer

DOCUMENTS: dict[str, Any] = {}


async def document(request: Request) -> Response:
    name = request.path_params["name"]
    if name == "huge":
        return Response(b"{" + b" " * (MAX_DOCUMENT_BYTES + 10) + b"}")
    if name == "not-json":
        return Response(b"<html>", media_type="text/html")
    if name == "redirect":
        return Response(status_code=302, headers={"Location": f"{request.base_url}client/good"})
    if name not in DOCUMENTS:
        return Response(status_code=404)
    return JSONResponse(DOCUMENTS[name])


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """A client's web site serving its metadata documents."""
    server = BackgroundServer(Starlette(routes=[Route("/client/{name}", document)])).start()
    base = server.url
    valid = {
        "client_name": "Metadata Document Client",
        "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    }
    DOCUMENTS.update(
        good={**valid, "client_id": f"{base}/client/good"},
        mismatch={**valid, "client_id": f"{base}/client/someone-else"},
        secret={**valid, "client_id": f"{base}/client/secret", "client_secret": "x"},
        confidential={
            **valid,
            "client_id": f"{base}/client/confidential",
            "token_endpoint_auth_method": "client_secret_basic",
        },
        no_redirects={**{k: v for k, v in valid.items() if k != "redirect_uris"},
                      "client_id": f"{base}/client/no_redirects"},
        bad_redirect={**valid, "client_id": f"{base}/client/bad_redirect",
                      "redirect_uris": ["http://evil.example.com/cb"]},
    )  # fmt: skip
    try:
        yield base
    finally:
        server.stop()


def test_a_metadata_document_client_signs_a_person_in_and_refreshes(
    site: str, idp: IdpServer, http: httpx.Client
) -> None:
    client = PublicClient(idp, http, resource="http://127.0.0.1:18002/mcp")
    client.client_id = f"{site}/client/good"
    body = client.tokens("developer")
    claims = client.claims(body["access_token"])
    assert claims["client_id"] == client.client_id
    assert client.refresh(body["refresh_token"]).status_code == 200
    page = http.get(client.authorize_url())
    assert "Metadata Document Client" in page.text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("mismatch", "client_id is not the URL"),
        ("secret", "only public clients"),
        ("confidential", "only public clients"),
        ("no_redirects", "redirect_uris"),
        ("bad_redirect", "loopback hosts only"),
        ("huge", "larger than"),
        ("not-json", "not JSON"),
        ("redirect", "HTTP 302"),
        ("missing", "HTTP 404"),
    ],
)
def test_a_bad_document_gets_an_error_page_and_no_redirect(
    name: str, reason: str, site: str, idp: IdpServer, http: httpx.Client
) -> None:
    client = PublicClient(idp, http)
    client.client_id = f"{site}/client/{name}"
    response = http.get(client.authorize_url())
    assert response.status_code == 400
    assert reason in response.text


def test_the_redirect_uri_must_be_one_the_document_lists(
    site: str, idp: IdpServer, http: httpx.Client
) -> None:
    client = PublicClient(idp, http)
    client.client_id = f"{site}/client/good"
    response = http.get(client.authorize_url(redirect_uri="http://127.0.0.1:1/elsewhere"))
    assert response.status_code == 400
    callback = client.sign_in("developer", redirect_uri="http://127.0.0.1:1/callback")
    assert "code" in query_of(callback)  # a loopback port may vary (RFC 8252)


def test_an_unreachable_document_is_an_error_page(idp: IdpServer, http: httpx.Client) -> None:
    client = PublicClient(idp, http)
    client.client_id = "http://127.0.0.1:9/client.json"
    response = http.get(client.authorize_url())
    assert response.status_code == 400
    assert "could not be fetched" in response.text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://app.example.com/oauth/client.json", True),
        ("https://app.example.com/", False),
        ("https://app.example.com", False),
        ("https://user@app.example.com/c.json", False),
        ("https://app.example.com/c.json#frag", False),
        ("http://127.0.0.1:8000/c.json", True),
        ("http://localhost:8000/c.json", True),
        ("http://app.example.com/c.json", False),
        ("ftp://app.example.com/c.json", False),
        ("dcr-abc", False),
    ],
)
def test_which_client_ids_are_metadata_document_urls(url: str, expected: bool) -> None:
    assert is_metadata_document_url(url, allow_loopback_http=True) is expected


def test_production_like_settings_refuse_http_loopback_documents() -> None:
    assert not is_metadata_document_url("http://127.0.0.1/c.json", allow_loopback_http=False)
