"""Wires a TokenVerifier into FastMCP: 401 + WWW-Authenticate, RFC 9728 metadata."""

from __future__ import annotations

from fastmcp.server.auth import RemoteAuthProvider
from fastmcp.server.auth import TokenVerifier as FastMCPTokenVerifier
from fastmcp.server.auth.auth import AccessToken
from fastmcp.server.dependencies import get_access_token
from pydantic import AnyHttpUrl, PrivateAttr

from .errors import AuthenticationError
from .logging import get_logger
from .metrics import PlatformMetrics
from .oidc import TokenVerifier
from .principal import Principal

__all__ = ["PlatformAccessToken", "build_auth_provider", "principal_from_request"]

_log = get_logger(__name__)


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
            principal = await self._verifier.verify(token)
        except AuthenticationError as exc:
            self._outcome("failure")
            _log.info(
                "authentication failed",
                extra={
                    "event.action": "authentication",
                    "event.outcome": "failure",
                    "event.reason": str(exc),
                },
            )
            return None
        except Exception as exc:  # fail closed: an unexpected error is a refusal
            self._outcome("error")
            _log.warning(
                "token verification error",
                extra={
                    "event.action": "authentication",
                    "event.outcome": "failure",
                    "error.type": type(exc).__name__,
                },
            )
            return None
        self._outcome("success")
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

    def _outcome(self, outcome: str) -> None:
        if self._metrics is not None:
            self._metrics.auth_outcome(outcome)


def build_auth_provider(
    verifier: TokenVerifier,
    *,
    issuer: str,
    base_url: str,
    resource_name: str,
    metrics: PlatformMetrics | None = None,
) -> RemoteAuthProvider:
    """A FastMCP auth provider serving RFC 9728 metadata that points at `issuer`."""
    return RemoteAuthProvider(
        token_verifier=_VerifierAdapter(verifier, metrics),
        authorization_servers=[AnyHttpUrl(issuer)],
        base_url=base_url,
        resource_name=resource_name,
    )


def principal_from_request() -> Principal | None:
    """The Principal of the current MCP request (None when unauthenticated)."""
    token = get_access_token()
    if isinstance(token, PlatformAccessToken):
        return token.principal
    return None
