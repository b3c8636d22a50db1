"""The GitHub MCP server, declared: `SERVER`, with `build(settings)` and `main()`."""

from __future__ import annotations

from mcp_common.server import ServerSpec

from .client import GitHubClient
from .settings import GitHubSettings
from .tools import all_toolsets

__all__ = ["INSTRUCTIONS", "SERVER", "build", "main"]

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


SERVER = ServerSpec(
    name="github",
    settings=GitHubSettings,
    instructions=INSTRUCTIONS,
    client=GitHubClient.from_settings,
    toolsets=lambda client, s: all_toolsets(client, max_file_chars=s.max_output_chars),
)
build = SERVER.build
main = SERVER.main
