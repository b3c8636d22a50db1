"""Development OIDC issuer standing in for Keycloak with Cisco Duo MFA (discovery, JWKS, tokens)."""

from __future__ import annotations

import argparse
import ipaddress
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TypedDict
from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from simulator_kit import add_deadline_options, serve_with_deadlines

from .authorization_server import IdpAuthorizationServer
from .clients import ClientRegistry
from .discovery import metadata_document
from .identities import DEFAULT_IDENTITIES, Identity, client_secrets_for, identity_map
from .keys import KeySet
from .login import LoginPages
from .metadata_documents import MetadataDocuments
from .oauth import (
    NO_STORE,
    REALM,
    FormRequest,
    JsonBodyRequest,
    OAuthError,
    optional_str,
    read_form,
    read_json_object,
    render_oauth_error,
)
from .otp import TotpCheck, secrets_for
from .resources import Resources
from .store import GrantStore
from .tokens import DEFAULT_SCOPE, TokenService

__all__ = ["JWKS_MAX_AGE", "REFRESH_TTL", "IdpOptions", "create_idp_app", "main"]

log = logging.getLogger("dev_idp")

JWKS_MAX_AGE = 60
REFRESH_TTL = 8 * 3600
_MINT_CONTROLS = frozenset({"identity", "alg", "kid", "sign_with", "token_format"})
_USERINFO_CLAIMS = ("sub", "preferred_username", "email", "email_verified", "groups", "amr", "acr")


class IdpOptions(TypedDict, total=False):
    """The options of `create_idp_app` that `IdpServer` passes through unchanged."""

    token_ttl: int
    admin: bool
    resources: Iterable[str] | None
    refresh_ttl: int
    metadata_documents: MetadataDocuments | None


class _Idp:
    """The request handlers: authlib's authorization server plus userinfo, JWKS and admin."""

    def __init__(self, tokens: TokenService, server: IdpAuthorizationServer) -> None:
        self.tokens, self.server = tokens, server
        self.identities = server.identities

    async def discovery(self, request: Request) -> Response:
        """RFC 8414 authorization server metadata, also served as OpenID Provider metadata."""
        return JSONResponse(self.server.metadata)

    async def jwks(self, request: Request) -> Response:
        """The public keys; cached briefly so verifiers notice rotation quickly."""
        headers = {"Cache-Control": f"public, max-age={JWKS_MAX_AGE}"}
        return JSONResponse(self.tokens.keyset.jwks(), headers=headers)

    async def token(self, request: Request) -> Response:
        """RFC 6749 token endpoint: every grant (authlib), errors as RFC 6749 5.2."""
        form = await read_form(request)
        if not form.get("grant_type"):
            raise OAuthError(400, "invalid_request", "grant_type is required")
        oauth_request = FormRequest.of(request, {}, form)
        response: Response = await run_in_threadpool(
            self.server.create_token_response, oauth_request
        )
        return response

    async def register(self, request: Request) -> Response:
        """RFC 7591 dynamic client registration."""
        body = await read_json_object(request)
        response: Response = await run_in_threadpool(
            self.server.create_endpoint_response,
            "client_registration",
            JsonBodyRequest(request, body),
        )
        return response

    async def introspect(self, request: Request) -> Response:
        """RFC 7662 introspection for JWT and opaque tokens; client-authenticated."""
        form = await read_form(request)
        response: Response = await run_in_threadpool(
            self.server.create_endpoint_response, "introspection", FormRequest.of(request, {}, form)
        )
        return response

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
    resources: Iterable[str] | None = None,
    totp_secrets: Mapping[str, str] | None = None,
    refresh_ttl: int = REFRESH_TTL,
    metadata_documents: MetadataDocuments | None = None,
) -> Starlette:
    """Build the dev issuer; routes live under the issuer's path (as Keycloak's /realms/<r>).

    `audience` is the `aud` of tokens requested without `resource`; `resources` lists the
    valid resource URIs (RFC 8707; None accepts any absolute http(s) URI). `admin=True`
    (the default for the dev issuer) adds POST /admin/rotate-keys and POST /admin/mint,
    which let any caller mint tokens: never serve them beyond a dev or test host. Client
    secrets, which are also the people's sign-in passwords, default to `<name>-secret`
    (see `dev_secret`); TOTP secrets of MFA identities derive from them unless given.
    """
    by_name = identity_map(identities)
    tokens = TokenService(issuer, audience, keyset if keyset is not None else KeySet(), token_ttl)
    secrets = client_secrets_for(by_name, client_secrets)
    totp = TotpCheck(secrets_for(by_name, secrets, totp_secrets))
    documents = metadata_documents if metadata_documents is not None else MetadataDocuments()
    server = IdpAuthorizationServer(
        tokens=tokens,
        clients=ClientRegistry(by_name, secrets, documents),
        identities=by_name,
        resources=Resources(audience, resources),
        store=GrantStore(refresh_ttl),
        metadata=metadata_document(issuer, tokens.keyset.algorithms),
    )
    idp = _Idp(tokens, server)
    prefix = urlsplit(issuer).path
    login = LoginPages(
        server,
        by_name,
        secrets,
        totp,
        cookie_path=prefix or "/",
        secure_cookie=issuer.startswith("https://"),
    )
    routes: list[BaseRoute] = [
        Route("/.well-known/openid-configuration", idp.discovery, methods=["GET"]),
        Route("/.well-known/oauth-authorization-server", idp.discovery, methods=["GET"]),
        Route("/jwks", idp.jwks, methods=["GET"]),
        Route("/authorize", login.authorize, methods=["GET", "POST"]),
        Route("/token", idp.token, methods=["POST"]),
        Route("/register", idp.register, methods=["POST"]),
        Route("/introspect", idp.introspect, methods=["POST"]),
        Route("/userinfo", idp.userinfo, methods=["GET", "POST"]),
    ]
    if admin:
        routes += [
            Route("/admin/rotate-keys", idp.rotate_keys, methods=["POST"]),
            Route("/admin/mint", idp.mint, methods=["POST"]),
        ]
    if prefix:
        # RFC 8414 3.1: metadata of an issuer with a path is at /.well-known/<name><path>
        # (what MCP clients try first); OIDC's <path>/.well-known/... is under the mount.
        routes = [
            Route(f"/.well-known/oauth-authorization-server{prefix}", idp.discovery),
            Route(f"/.well-known/openid-configuration{prefix}", idp.discovery),
            Mount(prefix, routes=routes),
        ]
    app = Starlette(
        routes=routes,
        exception_handlers={OAuth2Error: render_oauth_error},
        # Browser-based MCP clients (MCP Inspector) read metadata, register and redeem codes
        # from another origin. No credentials: the sign-in cookie never rides on CORS.
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "MCP-Protocol-Version"],
                max_age=600,
            )
        ],
    )
    app.state.keyset = tokens.keyset
    app.state.server = server
    return app


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _pairs(parser: argparse.ArgumentParser, option: str, items: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"{option} takes NAME=VALUE")
        pairs[name] = value
    return pairs


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the dev issuer: `python -m dev_idp --port 9000`."""
    parser = argparse.ArgumentParser(prog="python -m dev_idp", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--issuer", help="issuer URL (default: http://HOST:PORT)")
    parser.add_argument(
        "--audience", default="mcp-platform", help="aud of tokens requested without `resource`"
    )
    parser.add_argument(
        "--resource",
        action="append",
        metavar="URI",
        help="a valid RFC 8707 resource (an MCP server's URI; repeatable; default: any)",
    )
    parser.add_argument("--token-ttl", type=int, default=300, help="access token lifetime (s)")
    parser.add_argument("--no-admin", action="store_true", help="omit /admin/* endpoints")
    parser.add_argument(
        "--client-secret",
        action="append",
        default=[],
        metavar="NAME=SECRET",
        help="override the dev secret <name>-secret of one identity (repeatable)",
    )
    parser.add_argument(
        "--totp-secret",
        action="append",
        default=[],
        metavar="NAME=BASE32",
        help="the TOTP secret of an MFA identity (default: derived from its secret)",
    )
    add_deadline_options(parser)
    args = parser.parse_args(argv)
    secrets = _pairs(parser, "--client-secret", args.client_secret)
    totp = _pairs(parser, "--totp-secret", args.totp_secret)
    issuer = (args.issuer or f"http://{args.host}:{args.port}").rstrip("/")
    try:
        app = create_idp_app(
            issuer,
            args.audience,
            token_ttl=args.token_ttl,
            admin=not args.no_admin,
            client_secrets=secrets,
            resources=args.resource,
            totp_secrets=totp,
        )
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    if not args.no_admin and not _is_loopback(args.host):
        log.warning("admin endpoints can mint tokens and are reachable beyond loopback")
    log.info("dev issuer %s for audience %s", issuer, args.audience)
    # No access log: a query string could carry a token.
    # Slow clients are cut off (408) like on every platform listener.
    serve_with_deadlines(
        app,
        host=args.host,
        port=args.port,
        access_log=False,
        server_header=False,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
    )
