"""Issue, comment and search results (summaries by default, details on request)."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, Field

from ..client import Page, Record
from .common import login, logins, names, opt_str, text_cut

__all__ = ["Comment", "CommentCreated", "Issue", "IssueDetail", "IssueList", "SearchResults"]

MAX_BODY = 20_000
MAX_COMMENT = 4_000


class Issue(BaseModel):
    """An issue (or pull request) in a few fields (get_issue gives the body and comments)."""

    number: int
    title: str
    state: str = Field(description="open or closed")
    labels: list[str] = Field(default_factory=list)
    assignees: list[str] = Field(default_factory=list)
    author: str | None = None
    comments: int = Field(0, description="How many comments")
    is_pull_request: bool = Field(False, description="GitHub lists pull requests as issues too")
    repository: str | None = Field(None, description="owner/name (in search results)")
    updated_at: str | None = None
    html_url: str | None = None

    @classmethod
    def from_api(cls, data: Record) -> Self:
        """Build from a GitHub issue object."""
        return cls(**_summary(data))


class Comment(BaseModel):
    """An issue comment."""

    id: int
    author: str | None = None
    created_at: str | None = None
    body: str | None = None
    truncated: bool = False

    @classmethod
    def from_api(cls, data: Record) -> Self:
        """Build from a GitHub comment object."""
        body, cut = text_cut(data.get("body"), MAX_COMMENT)
        return cls(
            id=int(data.get("id") or 0),
            author=login(data.get("user")),
            created_at=opt_str(data.get("created_at")),
            body=body,
            truncated=cut,
        )


class IssueDetail(Issue):
    """An issue with its body, dates, close reason and first comments."""

    body: str | None = None
    body_truncated: bool = False
    state_reason: str | None = Field(None, description="completed, not_planned or reopened")
    created_at: str | None = None
    closed_at: str | None = None
    comment_list: list[Comment] = Field(default_factory=list, description="Oldest first")

    @classmethod
    def from_api(cls, data: Record, comments: list[Record] | None = None) -> Self:
        """Build from an issue object and (some of) its comments."""
        body, cut = text_cut(data.get("body"), MAX_BODY)
        return cls(
            **_summary(data),
            body=body,
            body_truncated=cut,
            state_reason=opt_str(data.get("state_reason")),
            created_at=opt_str(data.get("created_at")),
            closed_at=opt_str(data.get("closed_at")),
            comment_list=[Comment.from_api(c) for c in comments or []],
        )


class IssueList(BaseModel):
    """One page of issues, newest first."""

    page: int
    next_page: int | None = Field(description="Pass as page for the next page; null: none")
    issues: list[Issue]

    @classmethod
    def from_page(cls, page: Page, *, include_pull_requests: bool = True) -> Self:
        """Build from a page of issue objects."""
        issues = [Issue.from_api(i) for i in page.items]
        if not include_pull_requests:
            issues = [i for i in issues if not i.is_pull_request]
        return cls(page=page.page, next_page=page.next_page, issues=issues)


class SearchResults(BaseModel):
    """One page of issue and pull request search results."""

    query: str = Field(description="The GitHub search query that was run")
    total_count: int
    page: int
    next_page: int | None
    items: list[Issue]

    @classmethod
    def from_page(cls, query: str, page: Page) -> Self:
        """Build from a page of search items."""
        items = [Issue.from_api(i) for i in page.items]
        total = page.total if page.total is not None else len(items)
        return cls(
            query=query, total_count=total, page=page.page, next_page=page.next_page, items=items
        )


class CommentCreated(BaseModel):
    """A new comment."""

    id: int
    issue: int
    html_url: str | None = None
    created_at: str | None = None


def _summary(data: Record) -> dict[str, Any]:
    repo_url = str(data.get("repository_url") or "")
    return {
        "number": int(data.get("number") or 0),
        "title": str(data.get("title") or ""),
        "state": str(data.get("state") or ""),
        "labels": names(data.get("labels")),
        "assignees": logins(data.get("assignees")),
        "author": login(data.get("user")),
        "comments": int(data.get("comments") or 0),
        "is_pull_request": "pull_request" in data,
        "repository": "/".join(repo_url.split("/")[-2:]) if "/repos/" in repo_url else None,
        "updated_at": opt_str(data.get("updated_at")),
        "html_url": opt_str(data.get("html_url")),
    }
