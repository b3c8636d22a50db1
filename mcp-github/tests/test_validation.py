"""Names, paths and refs are checked as GitHub and git would, before any call."""

from __future__ import annotations

import pytest

from mcp_github.errors import InvalidArgument
from mcp_github.validation import check_branch, check_path, check_repo, check_text, repo_path


@pytest.mark.parametrize(
    ("owner", "repo"),
    [("netops", "network-configs"), ("a", "b"), ("Net-Ops-2", "x.y_z-1"), ("a" * 39, "r" * 100)],
)
def test_valid_names_pass(owner: str, repo: str) -> None:
    assert check_repo(owner, repo) == (owner, repo)
    assert repo_path(owner, repo) == f"/repos/{owner}/{repo}"


@pytest.mark.parametrize(
    ("owner", "repo", "fault"),
    [
        ("-netops", "x", "owner"),
        ("netops-", "x", "owner"),
        ("net_ops", "x", "owner"),
        ("a" * 40, "x", "owner"),
        ("", "x", "owner"),
        ("netops", "", "repo"),
        ("netops", "..", "repo"),
        ("netops", ".", "repo"),
        ("netops", "a/b", "repo"),
        ("netops", "a b", "repo"),
        ("netops", "r" * 101, "repo"),
        ("netops", "x?y", "repo"),
    ],
)
def test_invalid_names_are_refused(owner: str, repo: str, fault: str) -> None:
    with pytest.raises(InvalidArgument, match=f"^{fault} "):
        check_repo(owner, repo)


@pytest.mark.parametrize(
    ("path", "quoted"),
    [
        ("README.md", "README.md"),
        ("devices/par-acc-01.cfg.j2", "devices/par-acc-01.cfg.j2"),
        ("docs/a b#c?.md", "docs/a%20b%23c%3F.md"),
        ("dir/", "dir"),
        (" x ", "x"),
        (".github/workflows/ci.yml", ".github/workflows/ci.yml"),
    ],
)
def test_paths_are_quoted_per_segment(path: str, quoted: str) -> None:
    assert check_path(path) == quoted


@pytest.mark.parametrize(
    "path",
    [
        "..",
        "../x",
        "a/../b",
        "a/..",
        "/etc/passwd",
        "a//b",
        "./a",
        "a/./b",
        "a\\b",
        "a\x00b",
        "a\nb",
        ".git/config",
        "x" * 1001,
    ],
)
def test_unsafe_paths_are_refused(path: str) -> None:
    with pytest.raises(InvalidArgument, match="path"):
        check_path(path)


def test_the_root_is_allowed_only_when_asked() -> None:
    assert check_path("", allow_root=True) == ""
    with pytest.raises(InvalidArgument, match="must not be empty"):
        check_path("  ")


@pytest.mark.parametrize("name", ["main", "feature/ntp-update", "fix-1.2", "a" * 255, "v1@x"])
def test_valid_branch_names_pass(name: str) -> None:
    assert check_branch(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "a..b",
        "-x",
        "/x",
        "x/",
        "x.",
        "x.lock",
        "a/.hidden",
        "a//b",
        "a b",
        "a~1",
        "a^",
        "a:b",
        "a?",
        "a*",
        "a[b",
        "a\\b",
        "a@{1}",
        "@",
        "a" * 256,
        "a\tb",
    ],
)
def test_invalid_branch_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidArgument, match="not a valid git ref name"):
        check_branch(name)


def test_free_text_is_stripped_and_must_be_printable() -> None:
    assert check_text("  Fix NTP \n", "title") == "Fix NTP"
    with pytest.raises(InvalidArgument, match="title must not be blank"):
        check_text(" \n ", "title")
    with pytest.raises(InvalidArgument, match="message contains control characters"):
        check_text("ok\x1b[2J", "message")


def test_logins_are_checked_with_the_argument_named() -> None:
    from mcp_github.validation import check_owner

    assert check_owner("alice-neteng") == "alice-neteng"
    with pytest.raises(InvalidArgument, match=r"^assignee 'bad login' is not a GitHub login"):
        check_owner("bad login", "assignee")
