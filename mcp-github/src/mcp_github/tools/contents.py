"""Change tools: create a branch, create or update one file (one commit) (write)."""

from __future__ import annotations

import base64
import re
from typing import Annotated, Any

from pydantic import Field

from mcp_common.server import Toolset

from ..client import GitHubClient
from ..errors import GitHubConflict, GitHubValidationError, InvalidArgument
from ..models import BranchCreated, FileWritten
from ..secret_scan import refuse_secrets
from ..validation import check_branch, check_path, check_repo, check_text
from .common import Branch, Owner, Repo

__all__ = ["MAX_CONTENT", "content_tools"]

MAX_CONTENT = 400_000  # characters; the MCP request body limit is 1 MB
_SHA = re.compile(r"^[0-9a-f]{40}$")
FromRef = Annotated[
    str | None,
    Field(
        max_length=255,
        description="Branch or commit sha to start from; omit for the default branch",
    ),
]
FilePath = Annotated[
    str,
    Field(
        min_length=1,
        max_length=1000,
        description="File path from the repository root, e.g. templates/ntp.j2 (no '..')",
    ),
]
Content = Annotated[
    str, Field(max_length=MAX_CONTENT, description="The complete new file content (UTF-8 text)")
]
Message = Annotated[str, Field(min_length=1, max_length=2000, description="Commit message")]
Sha = Annotated[
    str | None,
    Field(
        pattern=r"^[0-9a-f]{40}$",
        description="The file's current blob sha (from get_file_contents); required to "
        "update an existing file, omitted to create one",
    ),
]
AllowDefault = Annotated[
    bool,
    Field(
        description="Commit straight to the default branch; otherwise refused (use a "
        "branch and a pull request)"
    ),
]


def content_tools(client: GitHubClient) -> Toolset:
    """The change toolset over one client."""
    ts = Toolset("contents", "Create branches and commit file changes")

    # Branches and pushes change what the repository metadata says (default branch, pushed_at).
    @ts.tool(action="write", title="Create a branch", destructive=False, invalidates={"repos"})
    async def create_branch(
        owner: Owner, repo: Repo, branch: Branch, from_ref: FromRef = None
    ) -> BranchCreated:
        """Create a branch from another branch or a commit (default: the default branch)."""
        check_repo(owner, repo)
        check_branch(branch)
        start = check_branch(from_ref, "from_ref") if from_ref else None
        if start is None:
            start = await client.default_branch(owner, repo)
        sha = start if _SHA.match(start) else await client.branch_sha(owner, repo, start)
        try:
            created = await client.create_branch(owner, repo, branch, sha)
        except GitHubValidationError as exc:
            if "already exists" in exc.message:
                raise GitHubValidationError(
                    422, f"branch {branch} already exists in {owner}/{repo}"
                ) from None
            raise
        return BranchCreated(branch=branch, sha=created, from_ref=start)

    @ts.tool(
        action="write", title="Create or update a file", destructive=True, invalidates={"repos"}
    )
    async def create_or_update_file(
        owner: Owner,
        repo: Repo,
        path: FilePath,
        content: Content,
        message: Message,
        branch: Branch,
        sha: Sha = None,
        allow_default_branch: AllowDefault = False,
    ) -> FileWritten:
        """Commit one file to a branch: create it, or replace it given its current sha.

        Writes to the default branch are refused unless allow_default_branch is true: make a
        branch (create_branch), commit there, then create_pull_request. Content that looks
        like a secret (private key, token, cleartext password) is refused.
        """
        check_repo(owner, repo)
        check_path(path)
        check_branch(branch)
        message = check_text(message, "message")
        refuse_secrets(content, "content")
        refuse_secrets(message, "message")
        main = await client.default_branch(owner, repo)
        if branch == main and not allow_default_branch:
            raise InvalidArgument(
                f"{branch} is the default branch of {owner}/{repo}: commit to another branch "
                "(create_branch) and open a pull request, or set allow_default_branch=true"
            )
        body: dict[str, Any] = {
            "message": message,
            "branch": branch,
            "content": base64.b64encode(content.encode()).decode(),
        }
        if sha:
            body["sha"] = sha
        try:
            created, data = await client.put_file(owner, repo, path, body)
        except GitHubConflict as exc:
            if "does not match" not in exc.message:
                raise  # e.g. a protected branch: GitHub's own words say why
            raise GitHubConflict(
                409,
                f"{path} changed on {branch} since it was read",
                [f"sha {sha} is stale: read the file again (get_file_contents) and retry"],
            ) from None
        except GitHubValidationError as exc:
            if '"sha"' not in exc.message:
                raise
            raise GitHubValidationError(
                422,
                f"{path} already exists on {branch}",
                ["pass its current sha (get_file_contents gives it) to update it"],
            ) from None
        written = data["content"]
        return FileWritten(
            path=str(written.get("path") or path),
            branch=branch,
            created=created,
            sha=str(written["sha"]),
            commit_sha=str(data["commit"]["sha"]),
            commit_url=data["commit"].get("html_url"),
        )

    return ts
