"""Pull request tools: list and read with changed files (read); open one (write)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from mcp_common.server import Toolset

from ..client import GitHubClient
from ..models import ChangedFile, PullRequestDetail, PullRequestList
from ..models.common import text_cut
from ..validation import check_branch, check_repo
from .common import Body, Branch, Direction, Number, Owner, PageNo, PerPage, Repo, Title, titled

__all__ = ["pull_tools"]

MAX_FILES = 100  # files listed by get_pull_request (one page)
MAX_PATCH = 3_000  # characters of diff per file, when patches are asked for
PullState = Annotated[Literal["open", "closed", "all"], Field(description="Which ones")]
PullSort = Annotated[
    Literal["created", "updated", "popularity", "long-running"], Field(description="Order")
]
OptionalBranch = Annotated[
    str | None, Field(max_length=255, description="Only pull requests from/into this branch")
]
WithPatches = Annotated[
    bool, Field(description=f"Include each file's diff (cut to {MAX_PATCH} characters)")
]
Base = Annotated[
    str | None,
    Field(max_length=255, description="Branch to merge into; omit for the default branch"),
]
Draft = Annotated[bool, Field(description="Open as a draft (not ready for review)")]


def _file(data: dict[str, Any], with_patch: bool) -> ChangedFile:
    patch = text_cut(data.get("patch"), MAX_PATCH)[0] if with_patch else None
    return ChangedFile(
        filename=str(data.get("filename")),
        status=str(data.get("status")),
        additions=int(data.get("additions") or 0),
        deletions=int(data.get("deletions") or 0),
        patch=patch,
    )


def pull_tools(client: GitHubClient) -> Toolset:
    """The pull request toolset over one client."""
    ts = Toolset("pull_requests", "List, read and open pull requests")

    @ts.tool(action="read", title="List pull requests")
    async def list_pull_requests(
        owner: Owner,
        repo: Repo,
        state: PullState = "open",
        base: OptionalBranch = None,
        head: OptionalBranch = None,
        sort: PullSort = "created",
        direction: Direction = "desc",
        page: PageNo = 1,
        per_page: PerPage = 30,
    ) -> PullRequestList:
        """Pull requests of one repository, one page."""
        params: dict[str, str | int] = {"state": state, "sort": sort, "direction": direction}
        if base:
            params["base"] = check_branch(base, "base")
        if head:
            params["head"] = f"{owner}:{check_branch(head, 'head')}"
        result = await client.list_items(owner, repo, "pulls", params, page=page, per_page=per_page)
        return PullRequestList.from_page(result)

    @ts.tool(action="read", title="Get a pull request")
    async def get_pull_request(
        owner: Owner, repo: Repo, number: Number, include_patches: WithPatches = False
    ) -> PullRequestDetail:
        """One pull request: merge state, diff statistics and the files it changes."""
        data = await client.get_item(owner, repo, "pulls", number)
        files = await client.pull_request_files(owner, repo, number, per_page=MAX_FILES)
        changed = [_file(f, include_patches) for f in files.items]
        return PullRequestDetail.from_api(data, changed, truncated=files.has_next)

    @ts.tool(action="write", title="Create a pull request", destructive=False)
    async def create_pull_request(
        owner: Owner,
        repo: Repo,
        title: Title,
        head: Branch,
        base: Base = None,
        body: Body = None,
        draft: Draft = False,
    ) -> PullRequestDetail:
        """Open a pull request from `head` into `base` (both branches of this repository)."""
        check_repo(owner, repo)
        check_branch(head, "head")
        values = {**titled(title, body), "head": head, "draft": draft}
        if base:
            values["base"] = check_branch(base, "base")
        else:
            values["base"] = await client.default_branch(owner, repo)
        return PullRequestDetail.from_api(await client.create_item(owner, repo, "pulls", values))

    return ts
