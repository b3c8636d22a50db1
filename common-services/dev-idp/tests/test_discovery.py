"""The issuer's metadata lists every endpoint and capability an MCP client looks for."""

from __future__ import annotations

import httpx
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

from dev_idp import IdpServer
from dev_idp.discovery import metadata_document


def test_rfc8414_metadata_lists_the_flows_an_mcp_client_needs(
    idp: IdpServer, http: httpx.Client
) -> None:
    doc = http.get(idp.endpoint("/.well-known/oauth-authorization-server")).json()
    assert doc == http.get(idp.discovery_url).json()
    issuer = idp.issuer
    assert doc["issuer"] == issuer
    assert doc["authorization_endpoint"] == f"{issuer}/authorize"
    assert doc["token_endpoint"] == f"{issuer}/token"
    assert doc["registration_endpoint"] == f"{issuer}/register"
    assert doc["jwks_uri"] == f"{issuer}/jwks"
    assert set(doc["grant_types_supported"]) == {
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    }
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["response_types_supported"] == ["code"]
    assert doc["client_id_metadata_document_supported"] is True
    assert doc["authorization_response_iss_parameter_supported"] is True
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "none",
        "client_secret_basic",
        "client_secret_post",
    }
    assert {"openid", "offline_access"} <= set(doc["scopes_supported"])
    assert {"act", "amr", "groups"} <= set(doc["claims_supported"])


def test_the_document_is_valid_rfc8414_metadata(idp: IdpServer, http: httpx.Client) -> None:
    AuthorizationServerMetadata(http.get(idp.discovery_url).json()).validate()


def test_every_listed_endpoint_answers(idp: IdpServer, http: httpx.Client) -> None:
    doc = http.get(idp.discovery_url).json()
    assert http.get(doc["jwks_uri"]).status_code == 200
    assert http.get(doc["authorization_endpoint"]).status_code == 400  # an error page
    for name in ("token_endpoint", "registration_endpoint", "introspection_endpoint"):
        assert http.post(doc[name], data={}).status_code in (400, 401), name
    assert http.get(doc["userinfo_endpoint"]).status_code == 401


def test_an_issuer_with_a_path_lists_endpoints_under_it() -> None:
    doc = metadata_document("https://idp.example.com/realms/mcp", ["RS256"])
    assert doc["authorization_endpoint"] == "https://idp.example.com/realms/mcp/authorize"
    AuthorizationServerMetadata(doc).validate()


def test_rfc8414_path_insertion_serves_an_issuer_with_a_path(http: httpx.Client) -> None:
    with IdpServer(issuer="http://127.0.0.1:1/realms/mcp") as idp:
        inserted = http.get(f"{idp.url}/.well-known/oauth-authorization-server/realms/mcp")
        oidc = http.get(f"{idp.url}/realms/mcp/.well-known/openid-configuration")
        assert inserted.json() == oidc.json()
        assert inserted.json()["issuer"] == "http://127.0.0.1:1/realms/mcp"


def test_browser_clients_may_read_metadata_register_and_redeem(
    idp: IdpServer, http: httpx.Client
) -> None:
    origin = {"Origin": "http://localhost:6274"}
    assert http.get(idp.discovery_url, headers=origin).headers["access-control-allow-origin"] == "*"
    preflight = http.options(
        idp.endpoint("/token"),
        headers={**origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert preflight.status_code == 200
    assert "access-control-allow-credentials" not in preflight.headers
