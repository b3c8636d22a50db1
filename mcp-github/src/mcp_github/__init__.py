"""mcp_github: the developers' GitHub MCP server (repos, files, issues, pulls) on mcp_common."""

from .client import GitHubClient, Page
from .config import GitHubConfig
from .errors import (
    ContentRefused,
    GitHubConflict,
    GitHubError,
    GitHubNotFound,
    GitHubRateLimited,
    GitHubValidationError,
    InvalidArgument,
    NotText,
)
from .server import build, main
from .settings import GitHubSettings

__all__ = [
    "ContentRefused",
    "GitHubClient",
    "GitHubConfig",
    "GitHubConflict",
    "GitHubError",
    "GitHubNotFound",
    "GitHubRateLimited",
    "GitHubSettings",
    "GitHubValidationError",
    "InvalidArgument",
    "NotText",
    "Page",
    "build",
    "main",
]
