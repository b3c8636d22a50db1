"""The GitHub MCP server: `build(settings)` assembles it, `main()` runs it."""

from __future__ import annotations

from mcp_common.authorizer import Authorizer
from mcp_common.components import (
    build_secret_store,
)
from mcp_common.logging import configure_logging
from mcp_common.metrics import PlatformMetrics
from mcp_common.oidc import TokenVerifier
from mcp_common.secrets import SecretStore
from mcp_common.server import PlatformServer, create_server, run_server
from mcp_common.settings import load_settings

from .client import GitHubClient
from .settings import GitHubSettings
from .tools import all_toolsets

__all__ = ["INSTRUCTIONS", "NAME", "RESOURCE", "build", "main"]

NAME = "github"
RESOURCE = "github"
INSTRUCTIONS = """\
GitHub for developers: repositories, files, issues and pull requests.
- Name a repository by owner and repo (e.g. owner=netops, repo=network-configs).
- Lists are paged: pass next_page as page. search_issues takes GitHub search syntax.
- To change a file: get_file_contents (text and its sha), create_branch, then
  create_or_update_file on that branch (pass the sha to update an existing file) and
  create_pull_request. Direct commits to the default branch are refused unless
  allow_default_branch=true. Content that looks like a secret is refused.
- A stale sha means the file changed since it was read: read it again and retry.
"""


def build(
    settings: GitHubSettings,
    *,
    verifier: TokenVerifier | None = None,
    authorizer: Authorizer | None = None,
    secrets: SecretStore | None = None,
    metrics: PlatformMetrics | None = None,
) -> PlatformServer:
    """The server with its components (built from settings when not given)."""
    metrics = metrics or PlatformMetrics(settings.service_name)
    secrets = secrets or build_secret_store(settings, metrics)
    client = GitHubClient(
        secrets,
        secret_path=settings.secret_path,
        timeout=settings.github_timeout,
        retries=settings.github_retries,
        backoff=settings.github_backoff,
        max_retry_after=settings.github_max_retry_after,
        metrics=metrics,
    )
    return create_server(
        settings,
        name=NAME,
        resource=RESOURCE,
        toolsets=all_toolsets(client, max_file_chars=settings.github_max_file_chars),
        verifier=verifier,
        authorizer=authorizer,
        secrets=secrets,
        metrics=metrics,
        instructions=INSTRUCTIONS,
        closers=[client],
    )


def main() -> None:
    """Read settings from the environment, then serve until interrupted."""
    settings = load_settings(GitHubSettings)
    configure_logging(settings.service_name, settings.log_level)
    run_server(build(settings))
