"""Checks of names, paths and refs before any call to GitHub (what GitHub itself would accept)."""

from __future__ import annotations

import re
from urllib.parse import quote

from .errors import InvalidArgument

__all__ = [
    "BRANCH_PATTERN",
    "OWNER_PATTERN",
    "REPO_PATTERN",
    "check_branch",
    "check_owner",
    "check_path",
    "check_repo",
    "check_text",
    "repo_path",
]

# GitHub logins: 1-39 alphanumerics or hyphens, no leading or trailing hyphen (no look-ahead:
# the pattern is also checked by pydantic-core's regex engine).
OWNER_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$"
REPO_PATTERN = r"^[A-Za-z0-9._-]{1,100}$"
BRANCH_PATTERN = r"^[^\x00-\x20~^:?*\[\\\x7f]{1,255}$"
_OWNER, _REPO = re.compile(OWNER_PATTERN), re.compile(REPO_PATTERN)
_BAD_REF = re.compile(r"\.\.|@\{|//|^[-/.]|/\.|[/.]$|\.lock(/|$)|^@$|[\x00-\x20~^:?*\[\\\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # line breaks and tabs allowed
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_PATH = 1000


def check_owner(login: str, what: str = "owner") -> str:
    """A valid GitHub login (user or organisation), or InvalidArgument naming the fault."""
    if not _OWNER.match(login):
        raise InvalidArgument(
            f"{what} {login[:60]!r} is not a GitHub login (letters, digits, inner hyphens)"
        )
    return login


def check_repo(owner: str, repo: str) -> tuple[str, str]:
    """A valid owner login and repository name, or InvalidArgument naming the fault."""
    check_owner(owner)
    if not _REPO.match(repo) or repo in (".", ".."):
        raise InvalidArgument(
            f"repo {repo[:60]!r} is not a repository name (letters, digits, '.', '-', '_')"
        )
    return owner, repo


def repo_path(owner: str, repo: str) -> str:
    """`/repos/{owner}/{repo}` after checking both names."""
    owner, repo = check_repo(owner, repo)
    return f"/repos/{owner}/{repo}"


def check_path(path: str, *, allow_root: bool = False) -> str:
    """A repository-relative file path: no `..`, no absolute path, no control characters.

    Returns it URL-quoted per segment, ready to append to `/contents/`.
    """
    cleaned = path.strip()
    if not cleaned:
        if allow_root:
            return ""
        raise InvalidArgument("path must not be empty")
    if len(cleaned) > MAX_PATH:
        raise InvalidArgument(f"path is longer than {MAX_PATH} characters")
    if cleaned.startswith("/") or "\\" in cleaned or _PATH_CONTROL.search(cleaned):
        raise InvalidArgument(
            f"path {cleaned[:80]!r} must be relative to the repository root, with '/' "
            "separators and no control characters"
        )
    segments = cleaned.rstrip("/").split("/")
    if any(s in ("", ".", "..") for s in segments):
        raise InvalidArgument(f"path {cleaned[:80]!r} must not contain '..', '.' or '//'")
    if segments[0] == ".git":
        raise InvalidArgument("paths under .git/ are not repository content")
    return "/".join(quote(s, safe="") for s in segments)


def check_branch(name: str, what: str = "branch") -> str:
    """A ref name git accepts (`git check-ref-format --branch` rules)."""
    if not name or len(name) > 255 or _BAD_REF.search(name):
        raise InvalidArgument(
            f"{what} {name[:80]!r} is not a valid git ref name (no spaces, '..', '~^:?*[\\', "
            "'@{', leading '-', or trailing '/', '.' or '.lock')"
        )
    return name


def check_text(text: str, what: str) -> str:
    """Free text sent to GitHub: stripped, non-empty, without NUL or terminal control bytes."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidArgument(f"{what} must not be blank")
    if _CONTROL.search(cleaned):
        raise InvalidArgument(f"{what} contains control characters")
    return cleaned
