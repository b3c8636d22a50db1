"""Results are built defensively from GitHub's JSON: summaries, cuts and missing fields."""

from __future__ import annotations

import base64

import pytest

from mcp_github.client import Page
from mcp_github.errors import NotText
from mcp_github.models import IssueDetail, IssueList, PullRequestDetail, RepositoryDetail
from mcp_github.models.issues import MAX_BODY
from mcp_github.tools.repos import decode_text


def test_an_issue_body_is_cut_and_says_so() -> None:
    issue = IssueDetail.from_api({"number": 1, "title": "t", "body": "x" * (MAX_BODY + 5)})
    assert len(issue.body or "") == MAX_BODY and issue.body_truncated is True


def test_search_items_name_their_repository() -> None:
    item = {
        "number": 3,
        "title": "t",
        "repository_url": "https://api.github.com/repos/o/r",
        "pull_request": {"url": "x"},
    }
    page = IssueList.from_page(Page([item], 1, 30, False))
    assert page.issues[0].repository == "o/r" and page.issues[0].is_pull_request
    assert IssueList.from_page(Page([item], 1, 30, True), include_pull_requests=False).issues == []


def test_missing_fields_give_defaults_not_errors() -> None:
    repo = RepositoryDetail.from_api({"full_name": "o/r"})
    assert repo.default_branch == "main" and repo.can_push is None and repo.topics == []
    pull = PullRequestDetail.from_api({"number": 1, "head": None, "mergeable": "yes"})
    assert pull.head == "" and pull.mergeable is None and pull.head_sha is None


def _file(data: bytes, **extra: object) -> dict[str, object]:
    return {
        "encoding": "base64",
        "size": len(data),
        "content": base64.b64encode(data).decode(),
        **extra,
    }


def test_text_files_are_decoded_and_cut() -> None:
    assert decode_text("a", _file("héllo\n".encode()), 100) == ("héllo\n", False)
    assert decode_text("a", _file(b"0123456789"), 4) == ("0123", True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_file(b"\x89PNG\r\n\x1a\n\x00\x00"), "is a binary file"),
        (_file(b"\xff\xfe\xfa"), "is not UTF-8 text"),
        ({"encoding": "none", "size": 5_000_000, "content": ""}, "is too large"),
    ],
)
def test_binary_and_huge_files_are_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(NotText, match=message):
        decode_text("f.bin", data, 100)
