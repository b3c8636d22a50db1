"""Argument types and helpers shared by the GitHub toolsets."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..validation import BRANCH_PATTERN, OWNER_PATTERN, REPO_PATTERN

__all__ = [
    "Branch",
    "Direction",
    "Number",
    "Owner",
    "PageNo",
    "PerPage",
    "Repo",
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
