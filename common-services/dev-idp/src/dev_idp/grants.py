"""The grants of the dev issuer: authlib's, bound to our store, tokens and resource indicators.

- authorization code with PKCE (S256 only; a code_challenge is required of every client),
- refresh token with rotation (see `store.py` for reuse detection),
- client credentials (Keycloak-shaped tokens; JWT or opaque; the legacy on-behalf-of field),
- token exchange lives in `exchange.py`.

Every grant takes `resource` (RFC 8707) and the token's `aud` is that resource; without it,
the default audience. Tokens are built by the server (`IdpAuthorizationServer.issue`).
"""

from __future__ import annotations

import re
from typing import Any

from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge

from .clients import SECRET_METHODS
from .delegation import delegation_claims
from .oauth import OAuthError
from .resources import invalid_target
from .store import AuthorizationCode, RefreshToken, SignIn
from .tokens import DEFAULT_SCOPE

__all__ = [
    "AuthorizationCodeGrant",
    "ClientCredentialsGrant",
    "RefreshTokenGrant",
    "S256CodeChallenge",
    "check_scope",
]

_SCOPE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$")


def check_scope(scope: str) -> str:
    """RFC 6749 3.3 scope syntax, else invalid_scope."""
    if not _SCOPE.match(scope):
        raise OAuthError(400, "invalid_scope", "scope is malformed")
    return scope


class _Issuing:
    """Grants hand token building to the server, with the request (resource, extras)."""

    server: Any
    request: Any
    GRANT_TYPE: str | None

    def generate_token(
        self,
        user: Any = None,
        scope: str | None = None,
        grant_type: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.server.issue(
            self.request,
            grant_type or self.GRANT_TYPE,
            user=user,
            scope=scope,
            include_refresh_token=include_refresh_token,
        )
        return result


def _resource_param(request: Any) -> str | None:
    value = request.payload.data.get("resource")
    return value if isinstance(value, str) else None


def _bind_resource(server: Any, request: Any, granted: str | None) -> None:
    """The token's resource: the one requested (within the grant's), else the grant's."""
    requested = _resource_param(request)
    if requested is None:
        request.resource = granted
        return
    checked = server.resources.check(requested)
    if granted is not None and checked != granted:
        raise invalid_target("resource differs from the one this grant was issued for")
    request.resource = checked


class S256CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE (RFC 7636) as OAuth 2.1 and the MCP spec want it: required, S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise OAuthError(400, "invalid_request", "code_challenge is required (PKCE, S256)")
        if data.get("code_challenge_method") != "S256":
            raise OAuthError(400, "invalid_request", "code_challenge_method must be S256")
        super().validate_code_challenge(grant, redirect_uri)


def _check_authorization_resource(grant: Any, redirect_uri: str) -> None:
    requested = _resource_param(grant.request)
    grant.request.resource = None if requested is None else grant.server.resources.check(requested)


class AuthorizationCodeGrant(_Issuing, grants.AuthorizationCodeGrant):  # type: ignore[misc]
    """Authorization code for people signing in at /authorize (public or confidential)."""

    TOKEN_ENDPOINT_AUTH_METHODS = [*SECRET_METHODS, "none"]

    def __init__(self, request: Any, server: Any) -> None:
        super().__init__(request, server)
        self.register_hook(
            "after_validate_authorization_request_payload", _check_authorization_resource
        )

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        user = request.user
        assert isinstance(user, SignIn)
        record = AuthorizationCode(
            client_id=request.client.client_id,
            redirect_uri=data.get("redirect_uri"),
            scope=request.scope or DEFAULT_SCOPE,
            sign_in=user,
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            resource=request.resource,
            nonce=data.get("nonce"),
        )
        self.server.store.save_code(code, record)

    def query_authorization_code(self, code: str, client: Any) -> AuthorizationCode | None:
        record: AuthorizationCode | None = self.server.store.take_code(code, client.client_id)
        return record

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Nothing to do: `take_code` spent the code when it was presented."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> SignIn:
        return authorization_code.sign_in

    def validate_token_request(self) -> None:
        super().validate_token_request()
        _bind_resource(self.server, self.request, self.request.authorization_code.resource)


class RefreshTokenGrant(_Issuing, grants.RefreshTokenGrant):  # type: ignore[misc]
    """Refresh with rotation: every use returns a new refresh token and spends the old one."""

    TOKEN_ENDPOINT_AUTH_METHODS = [*SECRET_METHODS, "none"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshToken | None:
        record: RefreshToken | None = self.server.store.use_refresh(refresh_token)
        return record

    def authenticate_user(self, refresh_token: RefreshToken) -> SignIn:
        return refresh_token.sign_in

    def revoke_old_credential(self, refresh_token: RefreshToken) -> None:
        """Nothing to do: `use_refresh` spent the token when it was presented."""

    def validate_token_request(self) -> None:
        super().validate_token_request()
        _bind_resource(self.server, self.request, self.request.refresh_token.resource)


class ClientCredentialsGrant(_Issuing, grants.ClientCredentialsGrant):  # type: ignore[misc]
    """A demo identity's own token (scripts, tests, `make token`); workloads may still name a
    person with the legacy `requested_on_behalf_of` field (see `delegation.py`)."""

    TOKEN_ENDPOINT_AUTH_METHODS = list(SECRET_METHODS)

    def validate_token_request(self) -> None:
        super().validate_token_request()
        form = self.request.form
        check_scope(form.get("scope") or DEFAULT_SCOPE)
        if form.get("token_format", "jwt") not in ("jwt", "opaque"):
            raise OAuthError(400, "invalid_request", "token_format must be 'jwt' or 'opaque'")
        identity = self.request.client.identity
        self.request.extra_claims = delegation_claims(form, identity, self.server.identities)
        _bind_resource(self.server, self.request, None)
