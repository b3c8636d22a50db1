"""Operator console: the platform in a browser (sign-in, my tools, deployments, status).

Server-rendered pages (Jinja2) with htmx; a confidential OIDC client of the platform's
issuer; every MCP call made as the signed-in person through token exchange (RFC 8693).
"""

from .app import create_app, main
from .settings import ConsoleSettings

__all__ = ["ConsoleSettings", "create_app", "main"]
