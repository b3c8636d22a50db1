"""Wires a TokenVerifier into FastMCP: 401 + WWW-Authenticate, RFC 9728 metadata."""

from __future__ import annotations

from typing import Any

from fastmcp.server.auth import RemoteAuthProvider
from fastmcp.server.auth import TokenVerifier as FastMCPTokenVerifier
from fastmcp.server.auth.auth import AccessToken
from fastmcp.server.dependencies import get_access_token
from mcp.server.auth.routes import cors_middleware
from pydantic import AnyHttpUrl, PrivateAttr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mcp_common.auth._principal import Principal
from mcp_common.auth._verifier import TokenVerifier, verify_bearer
from mcp_common.errors import AuthenticationError
from mcp_common.observability._metrics import PlatformMetrics

__all__ = ["PlatformAccessToken", "build_auth_provider", "principal_from_request"]


class PlatformAccessToken(AccessToken):
    """FastMCP's access token carrying the verified Principal."""

    _principal: Principal | None = PrivateAttr(default=None)

    @property
    def principal(self) -> Principal | None:
        """The Principal the token was verified as."""
        return self._principal


class _VerifierAdapter(FastMCPTokenVerifier):
    """Adapts our TokenVerifier to FastMCP; any failure means 'no token' (401)."""

    def __init__(self, verifier: TokenVerifier, metrics: PlatformMetrics | None) -> None:
        super().__init__()
        self._verifier = verifier
        self._metrics = metrics

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            principal = await verify_bearer(self._verifier, token, self._metrics)
        except AuthenticationError:
            return None
        access = PlatformAccessToken(
            token=token,
            client_id=principal.client_id or principal.subject,
            scopes=sorted(principal.scopes),
            expires_at=int(principal.expires_at) if principal.expires_at else None,
            subject=principal.subject,
            claims=dict(principal.claims),
        )
        access._principal = principal
        return access


class _ExactIssuerProvider(RemoteAuthProvider):
    """RFC 9728 metadata naming the issuer exactly as it signs its tokens.

    pydantic's AnyHttpUrl turns a root issuer (`http://idp:9000`) into `http://idp:9000/`;
    MCP clients compare the issuer of the authorization server's metadata with that string
    (RFC 8414 section 3.3) and give up on the difference, so the document is served as is.
    """

    def __init__(self, *, issuer: str, **kwargs: Any) -> None:
        super().__init__(authorization_servers=[AnyHttpUrl(issuer)], **kwargs)
        self._issuer = issuer

    def get_routes(self, mcp_path: str | None = None) -> list[Route]:
        routes = super().get_routes(mcp_path)
        resource_url = self._get_resource_url(mcp_path)
        if resource_url is None:
            return routes
        document = {
            "resource": str(resource_url),
            "authorization_servers": [self._issuer],
            "bearer_methods_supported": ["header"],
            "resource_name": self.resource_name,
        }
        if self.scopes_supported:
            document["scopes_supported"] = self.scopes_supported

        async def metadata(request: Request) -> Response:
            headers = {"Cache-Control": "public, max-age=3600"}
            return JSONResponse({k: v for k, v in document.items() if v is not None}, 200, headers)

        return [
            Route(r.path, cors_middleware(metadata, ["GET", "OPTIONS"]), methods=["GET", "OPTIONS"])
            if isinstance(r, Route) and r.path.startswith("/.well-known/oauth-protected-resource")
            else r
            for r in routes
        ]


def build_auth_provider(
    verifier: TokenVerifier,
    *,
    issuer: str,
    base_url: str,
    resource_name: str,
    metrics: PlatformMetrics | None = None,
) -> RemoteAuthProvider:
    """A FastMCP auth provider serving RFC 9728 metadata that points at `issuer`."""
    return _ExactIssuerProvider(
        issuer=issuer,
        token_verifier=_VerifierAdapter(verifier, metrics),
        base_url=base_url,
        resource_name=resource_name,
    )


def principal_from_request() -> Principal | None:
    """The Principal of the current MCP request (None when unauthenticated)."""
    token = get_access_token()
    if isinstance(token, PlatformAccessToken):
        return token.principal
    return None
