"""Who is calling (the bearer token, verified like every MCP server does) and may they."""

from __future__ import annotations

from starlette.requests import Request

from mcp_common.auth import Principal, TokenVerifier, verify_bearer
from mcp_common.errors import AuthenticationError, AuthorizationDenied
from mcp_common.observability import PlatformMetrics
from mcp_common.policy import AuthorizationRequest, CachingAuthorizer

from .problems import ProxyProblem, denied

__all__ = ["RESOURCE", "Gatekeeper"]

# The policy's resource for the proxy itself (common-services/opa/policy.rego).
RESOURCE = "rest-api-proxy"


def _quoted(text: str) -> str:
    """Safe inside an RFC 7235 quoted-string."""
    return "".join(c for c in text if c not in '"\\' and c.isprintable())[:200]


class Gatekeeper:
    """Authenticates bearer tokens and asks the policy about the `rest-api-proxy` resource."""

    def __init__(
        self,
        verifier: TokenVerifier,
        authorizer: CachingAuthorizer,
        *,
        realm: str = "mcp-rest-api-proxy",
        metrics: PlatformMetrics | None = None,
    ) -> None:
        if not realm:
            raise ValueError("realm must not be empty")
        self.verifier = verifier
        self.authorizer = authorizer
        self.realm = realm
        self._metrics = metrics

    async def authenticate(self, request: Request) -> tuple[Principal, str]:
        """The verified caller and their token; 401 with WWW-Authenticate otherwise."""
        headers = request.headers.getlist("authorization")
        if len(headers) > 1:
            # Which one would count is exactly what an attacker would like to choose.
            self._outcome("failure")
            raise ProxyProblem(
                400,
                "invalid-request",
                "send exactly one Authorization header",
                headers={
                    "WWW-Authenticate": f'Bearer realm="{self.realm}", error="invalid_request"'
                },
            )
        header = headers[0] if headers else ""
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            self._outcome("missing")
            raise ProxyProblem(
                401,
                "unauthorized",
                "a bearer token is required (Authorization: Bearer <token>)",
                headers={"WWW-Authenticate": f'Bearer realm="{self.realm}"'},
            )
        try:
            principal = await verify_bearer(self.verifier, token, self._metrics)
        except AuthenticationError as exc:  # a verifier failure too: it fails closed
            reason = str(exc)
            challenge = (
                f'Bearer realm="{self.realm}", error="invalid_token", '
                f'error_description="{_quoted(reason)}"'
            )
            raise ProxyProblem(
                401,
                "unauthorized",
                f"invalid token: {reason}",
                headers={"WWW-Authenticate": challenge},
            ) from None
        return principal, token

    async def authorize(
        self,
        principal: Principal,
        action: str,
        *,
        server: str,
        tool: str | None = None,
        audit: bool = True,
    ) -> None:
        """Ask the policy about `action` on the proxy for `server`/`tool`; 403 when refused.

        With `audit=False` only a refusal is recorded (an entry check before the real one).
        """
        request = AuthorizationRequest(
            principal=principal, server=server, resource=RESOURCE, action=action, tool=tool
        )
        decision = await self.authorizer.authorize(request, audit_event=audit)
        if not decision.allowed:
            if not audit:  # from the decision cache: records the refusal, decides nothing new
                await self.authorizer.authorize(request, audit_event=True)
            raise denied(AuthorizationDenied(action, RESOURCE, tool))

    def _outcome(self, outcome: str) -> None:
        if self._metrics is not None:
            self._metrics.auth_outcome(outcome)
