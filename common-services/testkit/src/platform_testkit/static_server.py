"""A real platform server with static parts: for tests of MCP clients of the platform.

`static_server` builds it with `create_server`, as every server is built, but its token
verifier, policy and secret store are the test doubles of `mcp_common.testing`: no IdP, no
policy file, no Vault. Serve its `http_app()` on the port it was built for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from mcp_common import CommonSettings, Principal, Toolset, create_server
from mcp_common.policy import AuthorizationRequest
from mcp_common.server import PlatformServer, RateLimiter
from mcp_common.testing import StaticAuthorizer, StaticSecretStore, StaticVerifier

__all__ = ["static_server"]


def static_server(
    port: int,
    *,
    name: str,
    resource: str,
    toolsets: Iterable[Toolset],
    tokens: Mapping[str, Principal],
    allow: Callable[[AuthorizationRequest], bool],
    rate_limiter: RateLimiter | None = None,
) -> PlatformServer:
    """A server for `resource` on `port`: `tokens` name its callers, `allow` is its policy."""
    settings = CommonSettings(
        port=port,
        oidc_issuer="http://127.0.0.1:1",
        oidc_audience="mcp-platform",
        secrets_backend="file",
        secrets_file="unused",
        rate_limit_per_minute=0,
    )
    return create_server(
        settings,
        name=name,
        resource=resource,
        toolsets=toolsets,
        verifier=StaticVerifier(tokens),
        authorizer=StaticAuthorizer(allow),
        secrets=StaticSecretStore({}),
        rate_limiter=rate_limiter,
    )
