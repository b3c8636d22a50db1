"""Argument types and helpers shared by the GitHub toolsets."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from ..secret_scan import refuse_secrets
from ..validation import BRANCH_PATTERN, OWNER_PATTERN, REPO_PATTERN, check_text

__all__ = [
    "Body",
    "Branch",
    "Direction",
    "Number",
    "Owner",
    "PageNo",
    "PerPage",
    "Repo",
    "Title",
    "titled",
]

Owner = Annotated[
    str,
    Field(
        pattern=OWNER_PATTERN,
        max_length=39,
        description="Account or organisation login, e.g. netops",
    ),
]
Repo = Annotated[
    str,
    Field(
        pattern=REPO_PATTERN,
        max_length=100,
        description="Repository name without the owner, e.g. network-configs",
    ),
]
Number = Annotated[int, Field(ge=1, le=100_000_000, description="Issue or pull request number")]
PageNo = Annotated[int, Field(ge=1, le=1000, description="Page number from 1 (a next_page)")]
PerPage = Annotated[int, Field(ge=1, le=100, description="Items per page (1-100)")]
Branch = Annotated[
    str, Field(pattern=BRANCH_PATTERN, description="Branch name, e.g. feature/ntp-update")
]
Direction = Annotated[Literal["asc", "desc"], Field(description="Sort direction")]
Title = Annotated[str, Field(min_length=1, max_length=256, description="One-line title")]
Body = Annotated[str | None, Field(max_length=65_000, description="Markdown description")]


def titled(title: str, body: str | None) -> dict[str, Any]:
    """The title and body of a new issue or pull request, checked and scanned for secrets."""
    values: dict[str, Any] = {"title": check_text(title, "title")}
    refuse_secrets(title, "title")
    if body:
        refuse_secrets(body, "body")
        values["body"] = body
    return values
