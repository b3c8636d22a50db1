"""Issue tools: search, list and read (read); create, comment and update (write)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from mcp_common.server import Toolset

from ..client import GitHubClient
from ..errors import InvalidArgument
from ..models import CommentCreated, IssueDetail, IssueList, SearchResults
from ..secret_scan import refuse_secrets
from ..validation import OWNER_PATTERN, check_owner, check_repo, check_text
from .common import Body, Direction, Number, Owner, PageNo, PerPage, Repo, Title, titled

__all__ = ["issue_tools"]

MAX_SEARCH_RESULTS = 1000  # GitHub's search API serves the first 1,000 results only
Query = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="Words and GitHub qualifiers, e.g. 'ntp drift label:bug author:alice'",
    ),
]
ScopeOwner = Annotated[
    str | None,
    Field(pattern=OWNER_PATTERN, max_length=39, description="Only this organisation or user"),
]
ScopeRepo = Annotated[
    str | None,
    Field(pattern=r"^[A-Za-z0-9._-]{1,100}$", description="Only this repository (needs owner)"),
]
Kind = Annotated[Literal["issue", "pr"] | None, Field(description="Issues or pull requests")]
State = Annotated[Literal["open", "closed"] | None, Field(description="Open or closed only")]
ListState = Annotated[Literal["open", "closed", "all"], Field(description="Which issues")]
SearchSort = Annotated[
    Literal["created", "updated", "comments"] | None, Field(description="Default: best match")
]
Labels = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=50)]] | None,
    Field(max_length=20, description="Label names"),
]
Logins = Annotated[
    list[Annotated[str, Field(pattern=OWNER_PATTERN)]] | None,
    Field(max_length=10, description="GitHub logins"),
]
Assignee = Annotated[
    str | None,
    Field(max_length=39, description="A login, 'none' (unassigned) or '*' (any assignee)"),
]
CommentBody = Annotated[str, Field(min_length=1, max_length=65_000, description="Markdown text")]
Reason = Annotated[
    Literal["completed", "not_planned"] | None,
    Field(description="Why it is closed (with state=closed)"),
]
IssueSort = Annotated[
    Literal["created", "updated", "comments"], Field(description="Order of the issues")
]
WithComments = Annotated[bool, Field(description="Also return the first 30 comments")]
WithPulls = Annotated[bool, Field(description="Also list pull requests (GitHub mixes them)")]


def issue_tools(client: GitHubClient) -> Toolset:
    """The issue toolset over one client."""
    ts = Toolset("issues", "Search, read, create, comment on and update issues")

    @ts.tool(action="read", title="Search issues and pull requests")
    async def search_issues(
        query: Query,
        owner: ScopeOwner = None,
        repo: ScopeRepo = None,
        state: State = None,
        type: Kind = None,
        sort: SearchSort = None,
        order: Direction = "desc",
        page: PageNo = 1,
        per_page: PerPage = 30,
    ) -> SearchResults:
        """Search issues and pull requests in every repository the token sees (GitHub syntax)."""
        parts = [check_text(query, "query")]
        if repo is not None:
            if owner is None:
                raise InvalidArgument("repo needs owner too (or put repo:owner/name in query)")
            parts.append(f"repo:{'/'.join(check_repo(owner, repo))}")
        elif owner is not None:
            parts.append(f"user:{check_owner(owner)}")
        if state:
            parts.append(f"is:{state}")
        if type:
            parts.append(f"is:{type}")
        q = " ".join(parts)
        if len(q) > 256:
            raise InvalidArgument("the search query with its qualifiers exceeds 256 characters")
        if page * per_page > MAX_SEARCH_RESULTS:
            raise InvalidArgument("GitHub search serves the first 1,000 results only")
        params: dict[str, str | int] = {"q": q, "order": order}
        if sort:
            params["sort"] = sort
        result = await client.search_issues(params, page=page, per_page=per_page)
        return SearchResults.from_page(q, result)

    @ts.tool(action="read", title="List issues")
    async def list_issues(
        owner: Owner,
        repo: Repo,
        state: ListState = "open",
        labels: Labels = None,
        assignee: Assignee = None,
        sort: IssueSort = "updated",
        direction: Direction = "desc",
        include_pull_requests: WithPulls = False,
        page: PageNo = 1,
        per_page: PerPage = 30,
    ) -> IssueList:
        """Issues of one repository, one page (pull requests left out unless asked for)."""
        params: dict[str, str | int] = {"state": state, "sort": sort, "direction": direction}
        if labels:
            params["labels"] = ",".join(check_text(label, "label") for label in labels)
        if assignee:
            special = assignee in ("none", "*")
            params["assignee"] = assignee if special else check_owner(assignee, "assignee")
        result = await client.list_items(
            owner, repo, "issues", params, page=page, per_page=per_page
        )
        return IssueList.from_page(result, include_pull_requests=include_pull_requests)

    @ts.tool(action="read", title="Get an issue")
    async def get_issue(
        owner: Owner, repo: Repo, number: Number, include_comments: WithComments = True
    ) -> IssueDetail:
        """One issue (or pull request conversation) with its body and first comments."""
        data = await client.get_item(owner, repo, "issues", number)
        comments: list[dict[str, Any]] = []
        if include_comments and data.get("comments"):
            comments = await client.issue_comments(owner, repo, number)
        return IssueDetail.from_api(data, comments)

    @ts.tool(action="write", title="Create an issue", destructive=False)
    async def create_issue(
        owner: Owner,
        repo: Repo,
        title: Title,
        body: Body = None,
        labels: Labels = None,
        assignees: Logins = None,
    ) -> IssueDetail:
        """Open an issue; unknown labels are created, assignees must be collaborators."""
        check_repo(owner, repo)
        values = titled(title, body)
        if labels:
            values["labels"] = [check_text(label, "label") for label in labels]
        if assignees:
            values["assignees"] = assignees
        return IssueDetail.from_api(await client.create_item(owner, repo, "issues", values))

    @ts.tool(action="write", title="Comment on an issue", destructive=False)
    async def add_issue_comment(
        owner: Owner, repo: Repo, number: Number, body: CommentBody
    ) -> CommentCreated:
        """Add a comment to an issue or a pull request conversation."""
        check_repo(owner, repo)
        text = check_text(body, "body")
        refuse_secrets(text, "body")
        data = await client.add_issue_comment(owner, repo, number, text)
        return CommentCreated(
            id=int(data["id"]),
            issue=number,
            html_url=data.get("html_url"),
            created_at=data.get("created_at"),
        )

    @ts.tool(action="write", title="Update an issue", destructive=False)
    async def update_issue(
        owner: Owner,
        repo: Repo,
        number: Number,
        state: State = None,
        state_reason: Reason = None,
        labels: Labels = None,
        assignees: Logins = None,
    ) -> IssueDetail:
        """Close or reopen an issue, or replace its labels or assignees ([] clears them)."""
        check_repo(owner, repo)
        values: dict[str, Any] = {}
        if state:
            values["state"] = state
        if state_reason:
            if state != "closed":
                raise InvalidArgument("state_reason goes with state=closed")
            values["state_reason"] = state_reason
        if labels is not None:
            values["labels"] = [check_text(label, "label") for label in labels]
        if assignees is not None:
            values["assignees"] = assignees
        if not values:
            raise InvalidArgument("nothing to update: give state, labels or assignees")
        return IssueDetail.from_api(await client.update_issue(owner, repo, number, values))

    return ts
