"""Repository, file and branch results."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, Field

from ..client import Page, Record
from .common import opt_str

__all__ = [
    "BranchCreated",
    "FileContents",
    "FileEntry",
    "FileWritten",
    "Repository",
    "RepositoryDetail",
    "RepositoryList",
]


class Repository(BaseModel):
    """A repository in a few fields (get_repository gives more)."""

    full_name: str = Field(description="owner/name; pass owner and repo to other tools")
    description: str | None = None
    private: bool
    default_branch: str = Field(description="Branch pull requests target by default")
    language: str | None = None
    archived: bool = Field(description="Archived repositories are read-only")
    open_issues: int = Field(description="Open issues and pull requests")
    updated_at: str | None = None
    html_url: str | None = None

    @classmethod
    def from_api(cls, data: Record) -> Self:
        """Build from a GitHub repository object."""
        return cls(**_summary(data))


class RepositoryDetail(Repository):
    """A repository with its topics, visibility, dates, size and the token's write access."""

    topics: list[str] = Field(default_factory=list)
    visibility: str | None = None
    created_at: str | None = None
    pushed_at: str | None = Field(None, description="Last push to any branch")
    size_kb: int | None = None
    can_push: bool | None = Field(None, description="Whether the platform's token may write")

    @classmethod
    def from_api(cls, data: Record) -> Self:
        """Build from a GitHub repository object."""
        permissions = data.get("permissions")
        return cls(
            **_summary(data),
            topics=[str(t) for t in data.get("topics") or []],
            visibility=opt_str(data.get("visibility")),
            created_at=opt_str(data.get("created_at")),
            pushed_at=opt_str(data.get("pushed_at")),
            size_kb=data.get("size") if isinstance(data.get("size"), int) else None,
            can_push=permissions.get("push") if isinstance(permissions, dict) else None,
        )


def _summary(data: Record) -> dict[str, Any]:
    return {
        "full_name": str(data.get("full_name", "")),
        "description": opt_str(data.get("description")),
        "private": bool(data.get("private")),
        "default_branch": str(data.get("default_branch") or "main"),
        "language": opt_str(data.get("language")),
        "archived": bool(data.get("archived")),
        "open_issues": int(data.get("open_issues_count") or 0),
        "updated_at": opt_str(data.get("updated_at")),
        "html_url": opt_str(data.get("html_url")),
    }


class RepositoryList(BaseModel):
    """One page of repositories."""

    owner: str | None = Field(description="Whose repositories; null: the token's own view")
    page: int
    next_page: int | None = Field(description="Pass as page for the next page; null: none")
    repositories: list[Repository]

    @classmethod
    def from_page(cls, owner: str | None, page: Page) -> Self:
        """Build from a page of repository objects."""
        repos = [Repository.from_api(r) for r in page.items]
        return cls(owner=owner, page=page.page, next_page=page.next_page, repositories=repos)


class FileEntry(BaseModel):
    """An entry of a directory listing."""

    name: str
    path: str
    type: str = Field(description="file, dir, symlink or submodule")
    size: int


class FileContents(BaseModel):
    """A text file (decoded, possibly cut) or a directory listing."""

    path: str
    ref: str | None = Field(description="Branch, tag or commit read; null: the default branch")
    type: Literal["file", "dir", "symlink", "submodule"]
    sha: str | None = Field(None, description="Blob sha; pass it to update the file")
    size: int | None = Field(None, description="Size in bytes")
    text: str | None = Field(None, description="The file's text (UTF-8)")
    truncated: bool = Field(False, description="True: text holds only the start of the file")
    entries: list[FileEntry] | None = Field(None, description="Directory entries")
    html_url: str | None = None


class FileWritten(BaseModel):
    """The commit that created or updated a file."""

    path: str
    branch: str
    created: bool = Field(description="True: a new file; false: an update")
    sha: str = Field(description="The file's new blob sha (needed for the next update)")
    commit_sha: str
    commit_url: str | None = None


class BranchCreated(BaseModel):
    """A new branch."""

    branch: str
    sha: str = Field(description="The commit it points at")
    from_ref: str = Field(description="Where it was created from")
