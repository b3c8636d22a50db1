"""Specification of the dev OIDC issuer over real HTTP: discovery, JWKS, token, introspection,
userinfo and the admin endpoints tests use to get defective tokens from a real issuer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from dev_idp import IdpServer
from dev_idp.app import JWKS_MAX_AGE, main
from dev_idp.identities import DEFAULT_IDENTITIES
from dev_idp.keys import KeySet

AUDIENCE = "mcp-platform"


@pytest.fixture(scope="module")
def idp() -> Iterator[IdpServer]:
    with IdpServer(audience=AUDIENCE) as server:
        yield server


@pytest.fixture
def fresh_idp() -> Iterator[IdpServer]:
    """A server of its own, for tests that rotate keys."""
    with IdpServer(audience=AUDIENCE, keyset=KeySet(["RS256"])) as server:
        yield server


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def verify(idp: IdpServer, token: str) -> dict[str, Any]:
    """What a resource server does: key from the JWKS by kid, then signature and claims."""
    key = jwt.PyJWKClient(idp.jwks_uri, cache_keys=False).get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(
        token,
        key.key,
        algorithms=["RS256", "ES256"],
        audience=AUDIENCE,
        issuer=idp.issuer,
        options={"require": ["exp", "iat", "nbf", "sub"]},
    )
    return claims


def introspect(http: httpx.Client, idp: IdpServer, token: str) -> httpx.Response:
    auth = ("developer", "developer-secret")
    return http.post(idp.endpoint("/introspect"), data={"token": token}, auth=auth)


def userinfo(http: httpx.Client, idp: IdpServer, token: str) -> httpx.Response:
    return http.get(idp.endpoint("/userinfo"), headers={"Authorization": f"Bearer {token}"})


# --- discovery and JWKS -------------------------------------------------------------------


def test_discovery_document_names_this_issuer_and_its_endpoints(
    idp: IdpServer, http: httpx.Client
) -> None:
    doc = http.get(idp.discovery_url).json()
    assert doc["issuer"] == idp.issuer == idp.url
    assert doc["jwks_uri"] == f"{idp.url}/jwks"
    assert doc["token_endpoint"] == f"{idp.url}/token"
    assert doc["introspection_endpoint"] == f"{idp.url}/introspect"
    assert doc["userinfo_endpoint"] == f"{idp.url}/userinfo"
    assert "client_credentials" in doc["grant_types_supported"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256", "ES256"]
    assert "client_secret_basic" in doc["token_endpoint_auth_methods_supported"]


def test_rfc8414_metadata_is_the_same_document(idp: IdpServer, http: httpx.Client) -> None:
    rfc8414 = http.get(idp.endpoint("/.well-known/oauth-authorization-server")).json()
    assert rfc8414 == http.get(idp.discovery_url).json()


def test_jwks_serves_public_keys_with_a_short_cache_lifetime(
    idp: IdpServer, http: httpx.Client
) -> None:
    response = http.get(idp.jwks_uri)
    assert response.headers["cache-control"] == f"public, max-age={JWKS_MAX_AGE}"
    keys = response.json()["keys"]
    assert [k["kid"] for k in keys] == idp.keyset.kids()
    assert all("d" not in k for k in keys)


def test_issuer_with_a_path_serves_every_endpoint_under_that_path(http: httpx.Client) -> None:
    issuer = "https://idp.example.com/realms/mcp"
    with IdpServer(issuer=issuer) as idp:
        doc = http.get(f"{idp.url}/realms/mcp/.well-known/openid-configuration").json()
        assert doc["issuer"] == issuer
        assert doc["token_endpoint"] == f"{issuer}/token"
        assert jwt.decode(idp.token("admin"), options={"verify_signature": False})["iss"] == issuer
        assert http.get(f"{idp.url}/jwks").status_code == 404


# --- token endpoint -----------------------------------------------------------------------


def test_client_credentials_returns_a_bearer_jwt_that_is_not_cached(
    idp: IdpServer, http: httpx.Client
) -> None:
    response = http.post(
        idp.endpoint("/token"),
        data={"grant_type": "client_credentials"},
        auth=("admin", "admin-secret"),
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["scope"] == "openid profile email"
    assert jwt.get_unverified_header(body["access_token"])["kid"] == idp.keyset.current().kid


@pytest.mark.parametrize("identity", DEFAULT_IDENTITIES, ids=lambda i: i.name)
def test_token_claims_carry_the_identity_groups_and_mfa(identity: Any, idp: IdpServer) -> None:
    claims = verify(idp, idp.token(identity.name))
    assert claims["sub"] == identity.subject
    assert claims["aud"] == AUDIENCE
    assert claims["azp"] == claims["client_id"] == claims["preferred_username"] == identity.name
    assert claims["email"] == identity.email
    assert claims["groups"] == list(identity.groups)
    assert claims["realm_access"] == {"roles": list(identity.groups)}
    assert claims["amr"] == (["pwd", "mfa", "duo"] if identity.mfa else ["pwd"])
    assert claims["acr"] == ("mfa" if identity.mfa else "1")
    assert claims["exp"] - claims["iat"] == 300
    assert claims["nbf"] == claims["iat"]
    assert abs(claims["iat"] - time.time()) < 5


def test_each_token_has_a_fresh_jti(idp: IdpServer) -> None:
    first, second = (verify(idp, idp.token("developer"))["jti"] for _ in range(2))
    assert first != second


def test_requested_scope_is_granted_and_echoed(idp: IdpServer) -> None:
    body = idp.token_response("developer", scope="mcp:tools openid")
    assert body["scope"] == "mcp:tools openid"
    assert verify(idp, body["access_token"])["scope"] == "mcp:tools openid"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password", "username": "a", "password": "b"}, "unsupported_grant_type"),
        ({"grant_type": "authorization_code", "code": "x"}, "unauthorized_client"),
        ({"grant_type": "implicit"}, "unsupported_grant_type"),
        ({}, "invalid_request"),
        ({"grant_type": "client_credentials", "scope": 'bad"scope'}, "invalid_scope"),
        ({"grant_type": "client_credentials", "scope": "a  b"}, "invalid_scope"),
        ({"grant_type": "client_credentials", "token_format": "saml"}, "invalid_request"),
    ],
)
def test_bad_token_requests_are_400_with_rfc6749_errors(
    form: dict[str, str], error: str, idp: IdpServer, http: httpx.Client
) -> None:
    response = http.post(idp.endpoint("/token"), data=form, auth=("admin", "admin-secret"))
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_wrong_client_secret_is_401_invalid_client(idp: IdpServer, http: httpx.Client) -> None:
    form = {"grant_type": "client_credentials"}
    response = http.post(idp.endpoint("/token"), data=form, auth=("admin", "wrong"))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"] == 'Basic realm="mcp-sandbox"'


def test_token_endpoint_only_accepts_post(idp: IdpServer, http: httpx.Client) -> None:
    assert http.get(idp.endpoint("/token")).status_code == 405


# --- introspection ------------------------------------------------------------------------


@pytest.mark.parametrize("token_format", ["jwt", "opaque"])
def test_introspection_of_a_live_token_is_active_with_its_claims(
    token_format: str, idp: IdpServer, http: httpx.Client
) -> None:
    token = idp.token("admin", token_format=token_format)
    response = introspect(http, idp, token)
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["active"] is True
    assert body["sub"] == DEFAULT_IDENTITIES[0].subject
    assert body["client_id"] == body["username"] == "admin"
    assert body["groups"] == ["admin"]
    assert body["amr"] == ["pwd", "mfa", "duo"]
    assert body["aud"] == AUDIENCE
    assert body["iss"] == idp.issuer
    assert body["scope"] == "openid profile email"
    assert body["exp"] > time.time() >= body["iat"]


def test_opaque_tokens_are_not_jwts(idp: IdpServer) -> None:
    token = idp.token("admin", token_format="opaque")
    assert token.count(".") == 0
    assert len(token) >= 40


def _defective(idp: IdpServer, kind: str) -> str:
    now = int(time.time())
    variants: dict[str, dict[str, Any]] = {
        "expired-jwt": {"exp": now - 60, "iat": now - 360, "nbf": now - 360},
        "expired-opaque": {"exp": now - 60, "iat": now - 360, "token_format": "opaque"},
        "not-yet-valid": {"nbf": now + 600, "exp": now + 900},
        "wrong-issuer": {"iss": "https://evil.example.com"},
        "unknown-key": {"sign_with": "unknown-key"},
        "alg-none": {"sign_with": "none"},
        "hs256-confusion": {"sign_with": "hs256-public-key"},
    }
    return idp.mint("admin", **variants[kind]) if kind in variants else kind


DEFECTS = [
    "expired-jwt", "expired-opaque", "not-yet-valid", "wrong-issuer", "unknown-key",
    "alg-none", "hs256-confusion", "not-a-token", "a.b.c",
]  # fmt: skip


@pytest.mark.parametrize("kind", DEFECTS)
def test_introspection_of_an_expired_or_defective_token_is_inactive_only(
    kind: str, idp: IdpServer, http: httpx.Client
) -> None:
    response = introspect(http, idp, _defective(idp, kind))
    assert response.status_code == 200
    assert response.json() == {"active": False}


def test_introspection_reports_a_wrong_audience_token_as_active(
    idp: IdpServer, http: httpx.Client
) -> None:
    # Audience is the resource server's check; introspection tells it what the token says.
    body = introspect(http, idp, idp.mint("admin", aud="other-platform")).json()
    assert body["active"] is True
    assert body["aud"] == "other-platform"


def test_introspection_needs_client_authentication_and_a_token(
    idp: IdpServer, http: httpx.Client
) -> None:
    token = idp.token("admin")
    anonymous = http.post(idp.endpoint("/introspect"), data={"token": token})
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "invalid_client"
    missing = http.post(idp.endpoint("/introspect"), data={}, auth=("admin", "admin-secret"))
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"


# --- userinfo -----------------------------------------------------------------------------


@pytest.mark.parametrize("token_format", ["jwt", "opaque"])
def test_userinfo_returns_the_identity_claims_of_a_live_token(
    token_format: str, idp: IdpServer, http: httpx.Client
) -> None:
    response = userinfo(http, idp, idp.token("service-desk", token_format=token_format))
    assert response.status_code == 200
    engineer = next(i for i in DEFAULT_IDENTITIES if i.name == "service-desk")
    assert response.json() == {
        "sub": engineer.subject,
        "preferred_username": "service-desk",
        "email": "service-desk@example.com",
        "email_verified": True,
        "groups": ["service-desk"],
        "amr": ["pwd", "mfa", "duo"],
        "acr": "mfa",
    }


def test_userinfo_also_answers_post(idp: IdpServer, http: httpx.Client) -> None:
    headers = {"Authorization": f"Bearer {idp.token('developer')}"}
    response = http.post(idp.endpoint("/userinfo"), headers=headers)
    assert response.json()["preferred_username"] == "developer"


@pytest.mark.parametrize("header", [None, "Basic YWRtaW46YWRtaW4tc2VjcmV0", "Bearer", "Token x"])
def test_userinfo_without_a_bearer_token_is_401_with_a_challenge(
    header: str | None, idp: IdpServer, http: httpx.Client
) -> None:
    headers = {"Authorization": header} if header else {}
    response = http.get(idp.endpoint("/userinfo"), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="mcp-sandbox"'


@pytest.mark.parametrize("kind", DEFECTS)
def test_userinfo_with_an_expired_or_defective_token_is_401_invalid_token(
    kind: str, idp: IdpServer, http: httpx.Client
) -> None:
    response = userinfo(http, idp, _defective(idp, kind))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert response.json()["error"] == "invalid_token"


# --- admin: key rotation ------------------------------------------------------------------


def test_rotation_adds_a_key_changes_the_kid_and_old_tokens_still_verify(
    fresh_idp: IdpServer, http: httpx.Client
) -> None:
    old_token = fresh_idp.token("admin")
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    new_kid = fresh_idp.rotate()
    assert new_kid != old_kid
    assert [k["kid"] for k in fresh_idp.jwks()["keys"]] == [new_kid, old_kid]
    assert jwt.get_unverified_header(fresh_idp.token("admin"))["kid"] == new_kid
    assert verify(fresh_idp, old_token)["preferred_username"] == "admin"
    assert introspect(http, fresh_idp, old_token).json()["active"] is True


def test_rotation_with_drop_old_retires_the_old_key_and_its_tokens(
    fresh_idp: IdpServer, http: httpx.Client
) -> None:
    old_token = fresh_idp.token("admin")
    new_kid = fresh_idp.rotate(drop_old=True)
    assert [k["kid"] for k in fresh_idp.jwks()["keys"]] == [new_kid]
    with pytest.raises(jwt.PyJWKClientError):
        verify(fresh_idp, old_token)
    assert introspect(http, fresh_idp, old_token).json() == {"active": False}


@pytest.mark.parametrize("body", ['{"drop_old": "yes"}', '{"alg": "HS256"}', "[]", "{bad"])
def test_rotation_rejects_a_malformed_request(
    body: str, fresh_idp: IdpServer, http: httpx.Client
) -> None:
    response = http.post(fresh_idp.endpoint("/admin/rotate-keys"), content=body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert len(fresh_idp.jwks()["keys"]) == 1


# --- admin: mint --------------------------------------------------------------------------


def test_mint_without_overrides_gives_a_valid_token_for_the_identity(idp: IdpServer) -> None:
    claims = verify(idp, idp.mint("network-engineer-mfa"))
    assert claims["groups"] == ["network-engineers"]
    assert claims["amr"] == ["pwd", "mfa", "duo"]


def test_mint_overrides_and_removes_claims(idp: IdpServer) -> None:
    token = idp.mint("developer", groups=["admin"], acr="mfa", email=None)
    claims = verify(idp, token)
    assert claims["groups"] == ["admin"] and claims["acr"] == "mfa"
    assert "email" not in claims
    with pytest.raises(jwt.MissingRequiredClaimError):
        verify(idp, idp.mint("developer", exp=None))


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("expired-jwt", jwt.ExpiredSignatureError),
        ("not-yet-valid", jwt.ImmatureSignatureError),
        ("wrong-issuer", jwt.InvalidIssuerError),
        ("unknown-key", jwt.InvalidSignatureError),
        ("alg-none", jwt.InvalidAlgorithmError),
        ("hs256-confusion", jwt.InvalidAlgorithmError),
    ],
)
def test_minted_defects_are_rejected_by_a_strict_verifier(
    kind: str, error: type[Exception], idp: IdpServer
) -> None:
    with pytest.raises(error):
        verify(idp, _defective(idp, kind))


def test_minted_wrong_audience_fails_the_audience_check(idp: IdpServer) -> None:
    with pytest.raises(jwt.InvalidAudienceError):
        verify(idp, idp.mint("admin", aud="other-platform"))


def test_unknown_key_keeps_the_current_kid_unless_told_otherwise(idp: IdpServer) -> None:
    token = idp.mint("admin", sign_with="unknown-key")
    assert jwt.get_unverified_header(token)["kid"] == idp.keyset.current().kid
    rogue = idp.mint("admin", sign_with="unknown-key", kid="rogue")
    with pytest.raises(jwt.PyJWKClientError, match="Unable to find a signing key"):
        verify(idp, rogue)


def test_alg_none_token_has_no_signature_the_current_kid_and_the_requested_alg(
    idp: IdpServer,
) -> None:
    token = idp.mint("admin", sign_with="none", alg="None")
    header_b64, payload_b64, signature = token.split(".")
    assert signature == ""
    header = json.loads(base64.urlsafe_b64decode(header_b64 + "=="))
    assert header == {"alg": "None", "typ": "JWT", "kid": idp.keyset.current().kid}
    assert json.loads(base64.urlsafe_b64decode(payload_b64 + "=="))["groups"] == ["admin"]


def test_hs256_confusion_token_is_hmac_keyed_with_the_published_public_key(
    idp: IdpServer,
) -> None:
    token = idp.mint("admin", sign_with="hs256-public-key")
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
    jwk = next(k for k in idp.jwks()["keys"] if k["kid"] == header["kid"])
    pem = jwt.PyJWK.from_dict(jwk).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input, _, signature = token.rpartition(".")
    expected = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "==") == expected


def test_mint_can_sign_with_the_es256_key(idp: IdpServer) -> None:
    token = idp.mint("admin", alg="ES256")
    assert jwt.get_unverified_header(token)["kid"] == idp.keyset.current("ES256").kid
    assert verify(idp, token)["sub"] == DEFAULT_IDENTITIES[0].subject


def test_mint_rs384_with_the_rs256_key_fails_an_rs256_allow_list(idp: IdpServer) -> None:
    with pytest.raises(jwt.InvalidAlgorithmError):
        verify(idp, idp.mint("admin", alg="RS384"))


@pytest.mark.parametrize(
    "body",
    [
        {"identity": "nobody"},
        {},
        {"identity": "admin", "sign_with": "magic"},
        {"identity": "admin", "alg": "HS512"},
        {"identity": "admin", "sign_with": "hs256-public-key", "alg": "HS384"},
        {"identity": "admin", "kid": 7},
        {"identity": "admin", "token_format": "opaque", "sign_with": "none"},
        {"identity": "admin", "token_format": "saml"},
        ["admin"],
    ],
)
def test_mint_rejects_a_malformed_request(body: Any, idp: IdpServer, http: httpx.Client) -> None:
    response = http.post(idp.endpoint("/admin/mint"), json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_admin_endpoints_are_absent_when_admin_is_off(http: httpx.Client) -> None:
    with IdpServer(admin=False) as idp:
        assert http.post(idp.endpoint("/admin/mint"), json={"identity": "admin"}).status_code == 404
        assert http.post(idp.endpoint("/admin/rotate-keys")).status_code == 404
        assert idp.token("admin")


# --- command line -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_module_runs_as_a_script_and_serves_the_issuer(http: httpx.Client) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "dev_idp", "--port", str(port), "--no-admin"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                doc = http.get(f"{url}/.well-known/openid-configuration").json()
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        assert doc["issuer"] == url
        assert http.post(f"{url}/admin/mint", json={"identity": "admin"}).status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    "argv",
    [
        ["--client-secret", "no-equals-sign"],
        ["--client-secret", "nobody=x"],
        ["--resource", "not-a-uri"],
        ["--totp-secret", "developer=JBSWY3DPEHPK3PXP"],
        ["--totp-secret", "admin=not base32"],
    ],
)
def test_main_rejects_bad_options(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
