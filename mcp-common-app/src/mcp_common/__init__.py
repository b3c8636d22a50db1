"""mcp_common: the enterprise chassis every MCP server, the REST proxy and the worker share.

Authentication (OIDC), authorization (OPA policy), secrets (Vault), ECS logging, metrics
and resilient backend HTTP, assembled by `create_server`.
"""

from .authorizer import AuthorizationRequest, Authorizer, Decision
from .errors import (
    AuthenticationError,
    AuthorizationDenied,
    ConfigurationError,
    PlatformError,
    SecretNotFound,
    UpstreamError,
)
from .http import make_http_client
from .logging import configure_logging, get_logger
from .oidc import TokenVerifier
from .principal import Principal, current_principal
from .secrets import SecretStore
from .server import PlatformServer, create_server, run_server
from .settings import CommonSettings, load_settings
from .toolset import Toolset, tool

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
