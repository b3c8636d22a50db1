"""mcp_common: the enterprise chassis every MCP server, the REST proxy and the worker share.

Authentication (OIDC), authorization (OPA policy), secrets (Vault), ECS logging, metrics
and resilient backend HTTP, assembled by `create_server`.
"""

from mcp_common.auth import Principal, TokenVerifier, current_principal
from mcp_common.errors import (
    AuthenticationError,
    AuthorizationDenied,
    ConfigurationError,
    PlatformError,
    SecretNotFound,
    UpstreamError,
)
from mcp_common.http import make_http_client
from mcp_common.observability import configure_logging, get_logger
from mcp_common.policy import AuthorizationRequest, Authorizer, Decision
from mcp_common.secrets import SecretStore
from mcp_common.server import PlatformServer, Toolset, create_server, run_server, tool
from mcp_common.settings import CommonSettings, load_settings

__all__ = [
    "AuthenticationError",
    "AuthorizationDenied",
    "AuthorizationRequest",
    "Authorizer",
    "CommonSettings",
    "ConfigurationError",
    "Decision",
    "PlatformError",
    "PlatformServer",
    "Principal",
    "SecretNotFound",
    "SecretStore",
    "TokenVerifier",
    "Toolset",
    "UpstreamError",
    "configure_logging",
    "create_server",
    "current_principal",
    "get_logger",
    "load_settings",
    "make_http_client",
    "run_server",
    "tool",
]
