"""The GitHub toolsets: repositories, changes, issues and pull requests."""

from __future__ import annotations

from mcp_common.server import Toolset

from ..client import GitHubClient
from .contents import content_tools
from .issues import issue_tools
from .pulls import pull_tools
from .repos import repo_tools

__all__ = ["all_toolsets", "content_tools", "issue_tools", "pull_tools", "repo_tools"]


def all_toolsets(client: GitHubClient, *, max_file_chars: int = 100_000) -> list[Toolset]:
    """Every toolset of the server, sharing one client."""
    return [
        repo_tools(client, max_file_chars=max_file_chars),
        content_tools(client),
        issue_tools(client),
        pull_tools(client),
    ]
