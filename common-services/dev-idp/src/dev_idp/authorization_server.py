"""The dev issuer's OAuth 2.0 authorization server: authlib's, adapted to Starlette requests.

authlib's `AuthorizationServer` is framework-neutral and synchronous. The HTTP layer reads
the request (`oauth.FormRequest`, `oauth.JsonBodyRequest`) and calls it in a worker thread;
responses come back as Starlette responses (`handle_response`). Registered here: the grants
(`grants.py`, `exchange.py`), RFC 7591 registration and RFC 7662 introspection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from authlib.oauth2.rfc6749 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc7591 import ClientMetadataClaims, ClientRegistrationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from starlette.responses import Response

from .clients import SECRET_METHODS, Client, ClientAuthenticator, ClientRegistry
from .clients import check_redirect_uris as _check_redirect_uris
from .delegation import ON_BEHALF_OF_CLAIM
from .exchange import TokenExchangeGrant
from .grants import (
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    RefreshTokenGrant,
    S256CodeChallenge,
)
from .identities import Identity
from .oauth import OAuthError, to_response
from .resources import Resources
from .store import GrantStore, SignIn
from .tokens import DEFAULT_SCOPE, TokenService

__all__ = ["IdpAuthorizationServer"]

log = logging.getLogger("dev_idp")

_DCR_GRANTS = frozenset({"authorization_code", "refresh_token"})


class _Introspected:
    """A live token's claims as authlib's introspection endpoint wants a token object."""

    def __init__(self, claims: Mapping[str, Any]) -> None:
        self.claims = dict(claims)

    def is_expired(self) -> bool:
        return False  # `TokenService.inspect` returns live tokens only

    def is_revoked(self) -> bool:
        return False


class _Introspection(IntrospectionEndpoint):  # type: ignore[misc]
    """RFC 7662 for JWT and opaque access tokens; any authenticated client may ask."""

    CLIENT_AUTH_METHODS = list(SECRET_METHODS)

    def query_token(self, token_string: str, token_type_hint: str | None) -> _Introspected | None:
        claims = self.server.tokens.inspect(token_string)
        return None if claims is None else _Introspected(claims)

    def check_permission(self, token: _Introspected, client: Client, request: Any) -> bool:
        return True

    def introspect_token(self, token: _Introspected) -> dict[str, Any]:
        claims = token.claims
        return {
            **claims,
            "active": True,
            "client_id": claims.get("client_id", claims.get("azp")),
            "username": claims.get("preferred_username"),
            "token_type": "Bearer",
        }


class _MetadataClaims(ClientMetadataClaims):  # type: ignore[misc]
    def validate_redirect_uris(self) -> None:
        """Checked by `clients.check_redirect_uris` (RFC 8252 rules, invalid_redirect_uri)."""


class _Registration(ClientRegistrationEndpoint):  # type: ignore[misc]
    """RFC 7591 open registration for clients that predate metadata documents.

    Clients register their redirect URIs; `token_endpoint_auth_method` "none" makes a public
    client (what MCP clients use), a secret method a confidential one. Either way the
    authorization code grant requires PKCE.
    """

    def __init__(self, server: Any = None) -> None:
        super().__init__(server, claims_classes=[_MetadataClaims])

    def authenticate_token(self, request: Any) -> bool:
        return True  # open registration (development issuer)

    def get_server_metadata(self) -> dict[str, Any]:
        metadata = dict(self.server.metadata)
        metadata.pop("scopes_supported", None)  # clients may register any scope
        metadata["grant_types_supported"] = sorted(_DCR_GRANTS)
        return metadata

    def extract_client_metadata(self, request: Any) -> dict[str, Any]:
        try:
            redirect_uris = _check_redirect_uris(request.payload.data.get("redirect_uris"))
        except ValueError as exc:
            raise OAuthError(400, "invalid_redirect_uri", str(exc)) from None
        metadata: dict[str, Any] = super().extract_client_metadata(request)
        metadata["redirect_uris"] = list(redirect_uris)
        metadata.setdefault("grant_types", ["authorization_code"])
        metadata.setdefault("response_types", ["code"])
        metadata.setdefault("token_endpoint_auth_method", "client_secret_basic")
        if "authorization_code" not in metadata["grant_types"]:
            raise OAuthError(
                400, "invalid_client_metadata", "grant_types must include authorization_code"
            )
        return metadata

    def generate_client_info(self, request: Any) -> dict[str, Any]:
        return {}  # the registry makes the id (and secret) in save_client

    def save_client(
        self, client_info: dict[str, Any], client_metadata: dict[str, Any], request: Any
    ) -> Client:
        name = client_metadata.get("client_name")
        client: Client = self.server.clients.register(
            redirect_uris=client_metadata["redirect_uris"],
            grant_types=client_metadata["grant_types"],
            public=client_metadata["token_endpoint_auth_method"] == "none",
            name=name if isinstance(name, str) else "",
        )
        log.info("client registered", extra={"client.id": client.client_id})
        return client

    def generate_client_registration_info(self, client: Client, request: Any) -> dict[str, Any]:
        info: dict[str, Any] = {
            "client_id": client.client_id,
            "client_id_issued_at": int(time.time()),
        }
        if client.secret is not None:
            info.update(client_secret=client.secret, client_secret_expires_at=0)
        return info


class IdpAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    """authlib's authorization server over our clients, grant store and token service."""

    def __init__(
        self,
        *,
        tokens: TokenService,
        clients: ClientRegistry,
        identities: Mapping[str, Identity],
        resources: Resources,
        store: GrantStore,
        metadata: Mapping[str, Any],
    ) -> None:
        super().__init__(scopes_supported=None)
        # authlib logs issued tokens at DEBUG ("Issue token {...}"): never let those through.
        authlib_log = logging.getLogger("authlib")
        if authlib_log.level < logging.INFO:
            authlib_log.setLevel(logging.INFO)
        self.tokens, self.clients, self.identities = tokens, clients, identities
        self.resources, self.store, self.metadata = resources, store, dict(metadata)
        self._client_auth = ClientAuthenticator(clients)
        self.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True)])
        self.register_grant(RefreshTokenGrant)
        self.register_grant(ClientCredentialsGrant)
        self.register_grant(TokenExchangeGrant)
        self.register_endpoint(_Registration)
        self.register_endpoint(_Introspection)

    # -- authlib's framework hooks ------------------------------------------------------

    def query_client(self, client_id: str) -> Client | None:
        return self.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        """Nothing to do: access tokens are JWTs; `issue` stored any refresh token."""

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if not isinstance(request, OAuth2Request):
            raise TypeError("pass an oauth.FormRequest")
        return request

    def create_json_request(self, request: Any) -> Any:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        return to_response(status, body, headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals."""

    # -- tokens -------------------------------------------------------------------------

    def issue(
        self,
        request: Any,
        grant_type: str,
        *,
        user: SignIn | None,
        scope: str | None,
        include_refresh_token: bool,
    ) -> dict[str, Any]:
        """The token response of a grant: claims by grant type, `aud` by resource."""
        client: Client = request.client
        scope = scope or DEFAULT_SCOPE
        audience = request.resource or self.resources.default_audience
        body: dict[str, Any]
        if grant_type == "client_credentials":
            assert client.identity is not None
            claims = self.tokens.claims_for(client.identity, client.client_id, scope)
            claims["aud"] = audience
            claims.update(request.extra_claims)
            if ON_BEHALF_OF_CLAIM in claims:
                claims["act"] = {"sub": client.client_id}
            if request.form.get("token_format") == "opaque":
                access_token = self.tokens.issue_opaque(claims)
            else:
                access_token = self.tokens.sign(claims)
            body = {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": self.tokens.token_ttl,
                "refresh_expires_in": 0,
                "not-before-policy": 0,
                "scope": scope,
            }
        else:
            assert isinstance(user, SignIn)
            claims = self.tokens.sign_in_claims(
                user.identity,
                client.client_id,
                scope,
                audience,
                amr=user.amr,
                acr=user.acr,
                auth_time=user.auth_time,
            )
            body = {
                "access_token": self.tokens.sign(claims),
                "token_type": "Bearer",
                "expires_in": self.tokens.token_ttl,
                "scope": scope,
            }
            if include_refresh_token:
                if grant_type == "refresh_token":
                    family = request.refresh_token.family
                else:
                    family = self.store.new_family()
                    self.store.mark_code_family(request.authorization_code, family)
                body["refresh_token"] = self.store.issue_refresh(
                    family, client.client_id, scope, user, request.resource
                )
                body["refresh_expires_in"] = self.store.refresh_ttl
            if grant_type == "authorization_code" and "openid" in scope.split():
                nonce = request.authorization_code.nonce
                id_claims = self.tokens.id_token_claims(claims, client.client_id, nonce)
                body["id_token"] = self.tokens.sign(id_claims)
        log.info(
            "token issued",
            extra={"client.id": client.client_id, "token.jti": claims["jti"], "grant": grant_type},
        )
        return body
