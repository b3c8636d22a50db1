"""A faithful GitHub REST API (v3) simulator: repos, contents, issues, pulls, search, limits."""

from mcp_sandbox.github.app import create_github_app
from mcp_sandbox.github.cli import main

__all__ = ["create_github_app", "main"]
