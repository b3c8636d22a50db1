"""Authentication: OIDC token verification (JWTs, opaque tokens), the Principal, token exchange."""

from mcp_common.auth._fastmcp import (
    PlatformAccessToken,
    build_auth_provider,
    principal_from_request,
)
from mcp_common.auth._introspection import OpaqueTokenResolver
from mcp_common.auth._jwks import JWKSCache
from mcp_common.auth._principal import Principal, current_principal, use_principal
from mcp_common.auth._token_exchange import SubjectTokenRefused, TokenExchanger
from mcp_common.auth._verifier import (
    OIDCVerifier,
    TokenVerifier,
    claim_path,
    principal_from_claims,
    verify_bearer,
)

__all__ = [
    "JWKSCache",
    "OIDCVerifier",
    "OpaqueTokenResolver",
    "PlatformAccessToken",
    "Principal",
    "SubjectTokenRefused",
    "TokenExchanger",
    "TokenVerifier",
    "build_auth_provider",
    "claim_path",
    "current_principal",
    "principal_from_claims",
    "principal_from_request",
    "use_principal",
    "verify_bearer",
]
