"""Token exchange (RFC 8693): a workload swaps a person's token for one meant for a server.

The REST proxy and the Temporal worker never forward a person's token. They authenticate as
themselves and send the person's access token (`subject_token`, issued here, verified:
signature, issuer, expiry) and the target server (`resource` and/or `audience`). The issued
token is the person's (their `sub`, groups, `amr`/`acr` as at sign-in) for that server only,
names the workload in `act` (nested over any `act` already in the subject token) and in
`client_id`, and never outlives the subject token. Only clients flagged `may_exchange` may
ask; a person's own client may not.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from authlib.oauth2.rfc6749.grants import BaseGrant, TokenEndpointMixin

from .clients import SECRET_METHODS, TOKEN_EXCHANGE
from .grants import check_scope
from .oauth import OAuthError

__all__ = ["ACCESS_TOKEN_TYPE", "JWT_TOKEN_TYPE", "TOKEN_EXCHANGE", "TokenExchangeGrant"]

log = logging.getLogger("dev_idp")

ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"


def _invalid(description: str) -> OAuthError:
    # RFC 8693 2.2.2: an invalid or unacceptable subject token is `invalid_request`.
    return OAuthError(400, "invalid_request", description)


class TokenExchangeGrant(BaseGrant, TokenEndpointMixin):  # type: ignore[misc]
    """grant_type=urn:ietf:params:oauth:grant-type:token-exchange, for exchanging workloads."""

    GRANT_TYPE = TOKEN_EXCHANGE
    TOKEN_ENDPOINT_AUTH_METHODS = list(SECRET_METHODS)

    def validate_token_request(self) -> None:
        client = self.authenticate_token_endpoint_client()
        if not client.check_grant_type(self.GRANT_TYPE):
            raise OAuthError(400, "unauthorized_client", "this client may not exchange tokens")
        form = self.request.form
        if not form.get("subject_token") or not form.get("subject_token_type"):
            raise _invalid("subject_token and subject_token_type are required")
        if form["subject_token_type"] != ACCESS_TOKEN_TYPE:
            raise _invalid(f"subject_token_type must be {ACCESS_TOKEN_TYPE}")
        if "actor_token" in form or "actor_token_type" in form:
            raise _invalid("actor_token is not supported: the authenticated client is the actor")
        if form.get("requested_token_type", ACCESS_TOKEN_TYPE) not in (
            ACCESS_TOKEN_TYPE,
            JWT_TOKEN_TYPE,
        ):
            raise _invalid("requested_token_type must be an access token or a JWT")
        subject = self.server.tokens.inspect(form["subject_token"])
        if subject is None:
            raise _invalid("subject_token is not an active token of this issuer")
        person = next(
            (i for i in self.server.identities.values() if i.subject == subject.get("sub")), None
        )
        if person is None or person.workload:
            raise _invalid("subject_token must be a person's token")
        granted = str(subject.get("scope") or "").split()
        requested = self.request.payload.scope
        if requested:
            check_scope(requested)
            if not set(requested.split()) <= set(granted):
                raise OAuthError(400, "invalid_scope", "scope exceeds the subject token's")
        self.request.client = client
        self.request.subject_claims = subject
        self.request.exchange_scope = requested or " ".join(granted)
        self.request.exchange_audience = self.server.resources.target(
            form.get("resource"), form.get("audience")
        )

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        request = self.request
        claims = self.server.tokens.exchanged_claims(
            request.subject_claims,
            request.client.client_id,
            request.exchange_scope,
            request.exchange_audience,
        )
        token = self.server.tokens.sign(claims)
        log.info(
            "token exchanged",
            extra={"client.id": request.client.client_id, "token.jti": claims["jti"]},
        )
        body = {
            "access_token": token,
            "issued_token_type": ACCESS_TOKEN_TYPE,
            "token_type": "Bearer",
            "expires_in": max(0, int(claims["exp"]) - int(time.time())),
            "scope": request.exchange_scope,
        }
        return 200, body, list(self.TOKEN_RESPONSE_HEADER)
