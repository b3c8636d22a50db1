"""Development OIDC issuer standing in for Keycloak with Cisco Duo MFA (discovery, JWKS, tokens)."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from .identities import DEFAULT_IDENTITIES, Identity, client_secrets_for, identity_map
from .idp_delegation import delegation_claims
from .idp_oauth import (
    NO_STORE,
    REALM,
    OAuthError,
    authenticate_client,
    optional_str,
    read_form,
    read_json_object,
    render_oauth_error,
)
from .idp_tokens import DEFAULT_SCOPE, TokenService
from .keys import KeySet

__all__ = ["JWKS_MAX_AGE", "create_idp_app", "main"]

log = logging.getLogger("mcp_sandbox.idp")

JWKS_MAX_AGE = 60
_SCOPE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$")
_MINT_CONTROLS = frozenset({"identity", "alg", "kid", "sign_with", "token_format"})
_USERINFO_CLAIMS = ("sub", "preferred_username", "email", "email_verified", "groups", "amr", "acr")
_CLAIMS = "iss sub aud exp iat nbf azp scope groups realm_access amr acr preferred_username email"
_CLAIMS += " on_behalf_of"  # only in tokens of workloads acting for a person (idp_delegation)
_CLIENT_AUTH = ["client_secret_basic", "client_secret_post"]


def _discovery_document(issuer: str, algorithms: Sequence[str]) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/jwks",
        "token_endpoint": f"{issuer}/token",
        "introspection_endpoint": f"{issuer}/introspect",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "grant_types_supported": ["client_credentials"],
        # There is no authorization endpoint: tokens come from the token endpoint only.
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": list(algorithms),
        "token_endpoint_auth_methods_supported": _CLIENT_AUTH,
        "introspection_endpoint_auth_methods_supported": _CLIENT_AUTH,
        "scopes_supported": DEFAULT_SCOPE.split(),
        "claims_supported": _CLAIMS.split(),
    }


class _Idp:
    """The request handlers, sharing one token service and one client registry."""

    def __init__(
        self, tokens: TokenService, identities: Mapping[str, Identity], secrets: Mapping[str, str]
    ) -> None:
        self.tokens, self.identities, self.secrets = tokens, identities, secrets
        self.discovery_document = _discovery_document(tokens.issuer, tokens.keyset.algorithms)

    async def discovery(self, request: Request) -> Response:
        """OpenID Provider metadata (also served as RFC 8414 metadata)."""
        return JSONResponse(self.discovery_document)

    async def jwks(self, request: Request) -> Response:
        """The public keys; cached briefly so verifiers notice rotation quickly."""
        headers = {"Cache-Control": f"public, max-age={JWKS_MAX_AGE}"}
        return JSONResponse(self.tokens.keyset.jwks(), headers=headers)

    def _client(self, request: Request, form: Mapping[str, str]) -> Identity:
        return self.identities[authenticate_client(request, form, self.secrets)]

    async def token(self, request: Request) -> Response:
        """RFC 6749 token endpoint: client_credentials, JWT or opaque access tokens."""
        form = await read_form(request)
        identity = self._client(request, form)
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError(400, "invalid_request", "grant_type is required")
        if grant_type != "client_credentials":
            raise OAuthError(400, "unsupported_grant_type", f"grant_type {grant_type[:40]!r}")
        scope = form.get("scope") or DEFAULT_SCOPE
        if not _SCOPE.match(scope):
            raise OAuthError(400, "invalid_scope", "scope is malformed")
        token_format = form.get("token_format", "jwt")
        if token_format not in ("jwt", "opaque"):
            raise OAuthError(400, "invalid_request", "token_format must be 'jwt' or 'opaque'")
        claims = self.tokens.claims_for(identity, identity.name, scope)
        claims |= delegation_claims(form, identity, self.identities)
        if token_format == "opaque":
            access_token = self.tokens.issue_opaque(claims)
        else:
            access_token = self.tokens.sign(claims)
        log.info("token issued", extra={"client.id": identity.name, "token.jti": claims["jti"]})
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": self.tokens.token_ttl,
            "refresh_expires_in": 0,
            "not-before-policy": 0,
            "scope": scope,
        }
        return JSONResponse(body, headers=NO_STORE)

    async def introspect(self, request: Request) -> Response:
        """RFC 7662 introspection for JWT and opaque tokens; client-authenticated."""
        form = await read_form(request)
        self._client(request, form)
        if "token" not in form:
            raise OAuthError(400, "invalid_request", "token is required")
        claims = self.tokens.inspect(form["token"])
        if claims is None:
            return JSONResponse({"active": False}, headers=NO_STORE)
        body = {
            **claims,
            "active": True,
            "client_id": claims.get("client_id", claims.get("azp")),
            "username": claims.get("preferred_username"),
            "token_type": "Bearer",
        }
        return JSONResponse(body, headers=NO_STORE)

    async def userinfo(self, request: Request) -> Response:
        """OIDC userinfo for a live bearer token; RFC 6750 challenge otherwise."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise OAuthError(
                401,
                "invalid_request",
                "a bearer token is required",
                {"WWW-Authenticate": f'Bearer realm="{REALM}"'},
            )
        claims = self.tokens.inspect(token.strip())
        if claims is None:
            challenge = f'Bearer realm="{REALM}", error="invalid_token"'
            raise OAuthError(
                401, "invalid_token", "token is not active", {"WWW-Authenticate": challenge}
            )
        userinfo = {k: claims[k] for k in _USERINFO_CLAIMS if k in claims}
        return JSONResponse(userinfo, headers=NO_STORE)

    async def rotate_keys(self, request: Request) -> Response:
        """Admin: make a new signing key current; `{"drop_old": true}` unpublishes the old ones."""
        body = await read_json_object(request)
        drop_old, alg = body.get("drop_old", False), body.get("alg", "RS256")
        if not isinstance(drop_old, bool) or not isinstance(alg, str):
            raise OAuthError(400, "invalid_request", "drop_old must be a boolean, alg a string")
        try:  # Key generation takes tens of milliseconds: keep it off the event loop.
            key = await run_in_threadpool(self.tokens.keyset.rotate, alg, drop_old=drop_old)
        except ValueError as exc:
            raise OAuthError(400, "invalid_request", str(exc)) from None
        log.info("signing key rotated", extra={"key.id": key.kid, "key.dropped_old": drop_old})
        return JSONResponse({"kid": key.kid, "alg": key.alg, "kids": self.tokens.keyset.kids()})

    async def mint(self, request: Request) -> Response:
        """Admin: a token for an identity with any claim overridden (null removes a claim)."""
        body = await read_json_object(request)
        name = body.get("identity")
        identity = self.identities.get(name) if isinstance(name, str) else None
        if identity is None:
            raise OAuthError(
                400, "invalid_request", f"identity must be one of {sorted(self.identities)}"
            )
        alg, kid = optional_str(body, "alg"), optional_str(body, "kid")
        sign_with = optional_str(body, "sign_with") or "current"
        token_format = optional_str(body, "token_format") or "jwt"
        claims = self.tokens.claims_for(identity, identity.name, DEFAULT_SCOPE)
        for claim, value in body.items():
            if claim in _MINT_CONTROLS:
                continue
            if value is None:
                claims.pop(claim, None)
            else:
                claims[claim] = value
        if token_format == "opaque":
            if alg or kid or sign_with != "current":
                raise OAuthError(
                    400, "invalid_request", "opaque tokens take no alg, kid or sign_with"
                )
            token = self.tokens.issue_opaque(claims)
        elif token_format == "jwt":
            try:  # An "unknown-key" mint may generate a key: off the event loop.
                token = await run_in_threadpool(
                    self.tokens.sign, claims, alg=alg, kid=kid, sign_with=sign_with
                )
            except (ValueError, TypeError) as exc:
                raise OAuthError(400, "invalid_request", str(exc)) from None
        else:
            raise OAuthError(400, "invalid_request", "token_format must be 'jwt' or 'opaque'")
        log.info("token minted", extra={"client.id": identity.name, "token.sign_with": sign_with})
        return JSONResponse({"access_token": token, "token_type": "Bearer"}, headers=NO_STORE)


def create_idp_app(
    issuer: str,
    audience: str,
    *,
    identities: Iterable[Identity] = DEFAULT_IDENTITIES,
    token_ttl: int = 300,
    admin: bool = True,
    keyset: KeySet | None = None,
    client_secrets: Mapping[str, str] | None = None,
) -> Starlette:
    """Build the dev issuer; routes live under the issuer's path (as Keycloak's /realms/<r>).

    `admin=True` (the default for the dev issuer) adds POST /admin/rotate-keys and
    POST /admin/mint, which let any caller mint tokens: never serve them beyond a dev or
    test host. Client secrets default to `<name>-secret` (see `dev_secret`).
    """
    by_name = identity_map(identities)
    tokens = TokenService(issuer, audience, keyset if keyset is not None else KeySet(), token_ttl)
    idp = _Idp(tokens, by_name, client_secrets_for(by_name, client_secrets))
    routes: list[BaseRoute] = [
        Route("/.well-known/openid-configuration", idp.discovery, methods=["GET"]),
        Route("/.well-known/oauth-authorization-server", idp.discovery, methods=["GET"]),
        Route("/jwks", idp.jwks, methods=["GET"]),
        Route("/token", idp.token, methods=["POST"]),
        Route("/introspect", idp.introspect, methods=["POST"]),
        Route("/userinfo", idp.userinfo, methods=["GET", "POST"]),
    ]
    if admin:
        routes += [
            Route("/admin/rotate-keys", idp.rotate_keys, methods=["POST"]),
            Route("/admin/mint", idp.mint, methods=["POST"]),
        ]
    prefix = urlsplit(issuer).path
    app = Starlette(
        routes=[Mount(prefix, routes=routes)] if prefix else routes,
        exception_handlers={OAuthError: render_oauth_error},
    )
    app.state.keyset = tokens.keyset
    return app


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the dev issuer: `python -m mcp_sandbox.idp --port 9000`."""
    parser = argparse.ArgumentParser(prog="python -m mcp_sandbox.idp", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--issuer", help="issuer URL (default: http://HOST:PORT)")
    parser.add_argument("--audience", default="mcp-platform")
    parser.add_argument("--token-ttl", type=int, default=300, help="access token lifetime (s)")
    parser.add_argument("--no-admin", action="store_true", help="omit /admin/* endpoints")
    parser.add_argument(
        "--client-secret",
        action="append",
        default=[],
        metavar="NAME=SECRET",
        help="override the dev secret <name>-secret of one identity (repeatable)",
    )
    args = parser.parse_args(argv)
    secrets: dict[str, str] = {}
    for item in args.client_secret:
        name, sep, secret = item.partition("=")
        if not sep:
            parser.error("--client-secret takes NAME=SECRET")
        secrets[name] = secret
    issuer = (args.issuer or f"http://{args.host}:{args.port}").rstrip("/")
    try:
        app = create_idp_app(
            issuer,
            args.audience,
            token_ttl=args.token_ttl,
            admin=not args.no_admin,
            client_secrets=secrets,
        )
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    if not args.no_admin and not _is_loopback(args.host):
        log.warning("admin endpoints can mint tokens and are reachable beyond loopback")
    log.info("dev issuer %s for audience %s", issuer, args.audience)
    # No access log: a query string could carry a token.
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, server_header=False)


if __name__ == "__main__":
    main()
