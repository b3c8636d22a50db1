"""Pull request results: summaries, and details with the changed files."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, Field

from ..client import Page, Record
from .common import login, logins, names, opt_str, text_cut

__all__ = ["ChangedFile", "PullRequest", "PullRequestDetail", "PullRequestList"]

MAX_BODY = 20_000


class PullRequest(BaseModel):
    """A pull request in a few fields (get_pull_request gives the rest and the files)."""

    number: int
    title: str
    state: str = Field(description="open or closed")
    draft: bool = False
    merged: bool = Field(False, description="True once merged")
    author: str | None = None
    head: str = Field(description="Branch with the changes")
    base: str = Field(description="Branch it merges into")
    updated_at: str | None = None
    html_url: str | None = None

    @classmethod
    def from_api(cls, data: Record) -> Self:
        """Build from a GitHub pull request object."""
        return cls(**_summary(data))


class ChangedFile(BaseModel):
    """One changed file."""

    filename: str
    status: str = Field(description="added, modified, removed, renamed...")
    additions: int
    deletions: int
    patch: str | None = Field(None, description="Unified diff hunk (when asked for)")


class PullRequestDetail(PullRequest):
    """A pull request with its body, merge state, diff statistics and changed files."""

    body: str | None = None
    body_truncated: bool = False
    head_sha: str | None = None
    labels: list[str] = Field(default_factory=list)
    assignees: list[str] = Field(default_factory=list)
    mergeable: bool | None = Field(None, description="null: GitHub has not computed it yet")
    mergeable_state: str | None = None
    commits: int | None = None
    additions: int | None = None
    deletions: int | None = None
    changed_files: int | None = None
    files: list[ChangedFile] = Field(default_factory=list)
    files_truncated: bool = Field(False, description="True: more files changed than listed")
    created_at: str | None = None
    merged_at: str | None = None

    @classmethod
    def from_api(
        cls, data: Record, files: list[ChangedFile] | None = None, truncated: bool = False
    ) -> Self:
        """Build from a full pull request object and its files."""
        body, cut = text_cut(data.get("body"), MAX_BODY)
        head = data.get("head") if isinstance(data.get("head"), dict) else {}
        return cls(
            **_summary(data),
            body=body,
            body_truncated=cut,
            head_sha=opt_str(head.get("sha")) if isinstance(head, dict) else None,
            labels=names(data.get("labels")),
            assignees=logins(data.get("assignees")),
            mergeable=data.get("mergeable") if isinstance(data.get("mergeable"), bool) else None,
            mergeable_state=opt_str(data.get("mergeable_state")),
            commits=_int(data.get("commits")),
            additions=_int(data.get("additions")),
            deletions=_int(data.get("deletions")),
            changed_files=_int(data.get("changed_files")),
            files=files or [],
            files_truncated=truncated,
            created_at=opt_str(data.get("created_at")),
            merged_at=opt_str(data.get("merged_at")),
        )


class PullRequestList(BaseModel):
    """One page of pull requests."""

    page: int
    next_page: int | None = Field(description="Pass as page for the next page; null: none")
    pull_requests: list[PullRequest]

    @classmethod
    def from_page(cls, page: Page) -> Self:
        """Build from a page of pull request objects."""
        pulls = [PullRequest.from_api(p) for p in page.items]
        return cls(page=page.page, next_page=page.next_page, pull_requests=pulls)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ref(side: Any) -> str:
    return str(side.get("ref") or "") if isinstance(side, dict) else ""


def _summary(data: Record) -> dict[str, Any]:
    return {
        "number": int(data.get("number") or 0),
        "title": str(data.get("title") or ""),
        "state": str(data.get("state") or ""),
        "draft": bool(data.get("draft")),
        "merged": bool(data.get("merged") or data.get("merged_at")),
        "author": login(data.get("user")),
        "head": _ref(data.get("head")),
        "base": _ref(data.get("base")),
        "updated_at": opt_str(data.get("updated_at")),
        "html_url": opt_str(data.get("html_url")),
    }
