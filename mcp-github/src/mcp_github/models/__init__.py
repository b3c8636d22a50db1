"""Pydantic results of the GitHub tools (summaries by default, details on request)."""

from .issues import Comment, CommentCreated, Issue, IssueDetail, IssueList, SearchResults
from .pulls import ChangedFile, PullRequest, PullRequestDetail, PullRequestList
from .repos import (
    BranchCreated,
    FileContents,
    FileEntry,
    FileWritten,
    Repository,
    RepositoryDetail,
    RepositoryList,
)

__all__ = [
    "BranchCreated",
    "ChangedFile",
    "Comment",
    "CommentCreated",
    "FileContents",
    "FileEntry",
    "FileWritten",
    "Issue",
    "IssueDetail",
    "IssueList",
    "PullRequest",
    "PullRequestDetail",
    "PullRequestList",
    "Repository",
    "RepositoryDetail",
    "RepositoryList",
    "SearchResults",
]
