"""Git objects in miniature: blob and commit SHAs, commit history and tree diffs."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Commit", "FileChange", "ancestors", "blob_sha", "diff_trees", "make_commit"]

Tree = dict[str, bytes]


def blob_sha(data: bytes) -> str:
    """The git blob SHA-1 of `data` (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class Commit:
    """A commit: the whole tree it records (small repositories), its parents and metadata."""

    sha: str
    message: str
    parents: tuple[str, ...]
    tree: Mapping[str, bytes] = field(repr=False)
    author: str
    date: str

    @property
    def tree_sha(self) -> str:
        """A stable SHA for the tree (sorted paths and blob SHAs)."""
        listing = "".join(f"{p}\0{blob_sha(d)}\n" for p, d in sorted(self.tree.items()))
        return hashlib.sha1(listing.encode(), usedforsecurity=False).hexdigest()


def make_commit(
    tree: Mapping[str, bytes], parents: tuple[str, ...], message: str, author: str, date: str
) -> Commit:
    """A new commit whose SHA depends on its content, parents, message, author and date."""
    draft = Commit("", message, parents, dict(tree), author, date)
    parent_lines = "".join(f"parent {p}\n" for p in parents)
    raw = f"tree {draft.tree_sha}\n{parent_lines}author {author} {date}\n\n{message}"
    sha = hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    return Commit(sha, message, parents, dict(tree), author, date)


def ancestors(commits: Mapping[str, Commit], sha: str) -> set[str]:
    """Every commit reachable from `sha`, itself included."""
    seen: set[str] = set()
    stack = [sha]
    while stack:
        current = stack.pop()
        if current in seen or current not in commits:
            continue
        seen.add(current)
        stack.extend(commits[current].parents)
    return seen


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file of a comparison, as `GET /pulls/{n}/files` lists it."""

    filename: str
    status: str  # added | modified | removed
    additions: int
    deletions: int
    patch: str | None
    sha: str | None


def _text(data: bytes) -> list[str] | None:
    if b"\0" in data[:8000]:
        return None
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None


def _change(path: str, old: bytes | None, new: bytes | None) -> FileChange:
    status = "added" if old is None else "removed" if new is None else "modified"
    before, after = _text(old or b""), _text(new or b"")
    sha = blob_sha(new) if new is not None else None
    if before is None or after is None:  # binary: no patch, no line counts
        return FileChange(path, status, 0, 0, None, sha)
    lines = list(difflib.unified_diff(before, after, lineterm="", n=3))[2:]  # drop ---/+++
    additions = sum(1 for line in lines if line.startswith("+"))
    deletions = sum(1 for line in lines if line.startswith("-"))
    return FileChange(path, status, additions, deletions, "\n".join(lines), sha)


def diff_trees(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[FileChange]:
    """The files that differ between two trees, sorted by path."""
    paths = sorted(p for p in set(old) | set(new) if old.get(p) != new.get(p))
    return [_change(p, old.get(p), new.get(p)) for p in paths]
