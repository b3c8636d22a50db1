"""mcp_rest_api_proxy: every platform tool as plain REST, with the caller's own identity."""

from .app import create_app, main
from .registry import ServerRegistry
from .settings import ProxySettings

__all__ = ["ProxySettings", "ServerRegistry", "create_app", "main"]
