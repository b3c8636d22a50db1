"""A faithful GitHub REST API (v3) simulator: repos, contents, issues, pulls, search, limits."""

from github_simulator.app import create_github_app
from github_simulator.cli import main

__all__ = ["create_github_app", "main"]
