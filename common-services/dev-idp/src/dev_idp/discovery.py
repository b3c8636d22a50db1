"""The issuer's metadata: RFC 8414 authorization server metadata, also OpenID Provider metadata.

One document at both well-known paths, listing every endpoint and what each supports, so an
MCP client can find its way with nothing but the issuer URL (MCP authorization spec).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .clients import SECRET_METHODS, TOKEN_EXCHANGE
from .exchange import ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE

__all__ = ["SCOPES", "metadata_document"]

SCOPES = ("openid", "profile", "email", "offline_access")
_CLAIMS = (
    "iss sub aud exp iat nbf auth_time jti azp client_id scope groups realm_access amr acr act "
    "preferred_username email email_verified nonce on_behalf_of"
)


def metadata_document(
    issuer: str, algorithms: Sequence[str], *, registration: bool = True
) -> dict[str, Any]:
    """The metadata of the issuer at `issuer` (endpoints under its path, like Keycloak's)."""
    doc: dict[str, Any] = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "jwks_uri": f"{issuer}/jwks",
        "introspection_endpoint": f"{issuer}/introspect",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            TOKEN_EXCHANGE,
        ],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
        "token_endpoint_auth_methods_supported": [*SECRET_METHODS, "none"],
        "introspection_endpoint_auth_methods_supported": list(SECRET_METHODS),
        "client_id_metadata_document_supported": True,
        "scopes_supported": list(SCOPES),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": list(algorithms),
        "claims_supported": _CLAIMS.split(),
        "acr_values_supported": ["1", "mfa"],
        # RFC 8693: what the token exchange grant accepts and issues.
        "token_exchange_token_types_supported": [ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
    }
    if registration:
        doc["registration_endpoint"] = f"{issuer}/register"
    return doc
