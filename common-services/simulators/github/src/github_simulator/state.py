"""The simulated GitHub's data: users, organisations, repositories, git history, issues, pulls."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .errors import GitHubError, not_found
from .git import Commit, make_commit

__all__ = ["Comment", "Hub", "Issue", "Label", "PullInfo", "Repo", "User", "now_iso"]


def now_iso() -> str:
    """The current time as GitHub writes it: `2024-03-01T09:30:00Z`."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class User:
    """A user, bot or organisation account."""

    login: str
    id: int
    type: str = "User"  # User | Organization | Bot
    name: str | None = None


@dataclass
class Label:
    """A repository label."""

    id: int
    name: str
    color: str = "ededed"
    description: str | None = None


@dataclass
class Comment:
    """An issue (or pull request conversation) comment."""

    id: int
    body: str
    user: str
    created_at: str
    updated_at: str


@dataclass
class PullInfo:
    """What turns an issue into a pull request: head and base branches of the same repo."""

    head: str
    base: str
    head_sha: str  # kept current while open; frozen when closed or the branch is gone
    draft: bool = False
    merged_at: str | None = None


@dataclass
class Issue:
    """An issue or a pull request (GitHub numbers them from one sequence)."""

    id: int
    number: int
    title: str
    body: str | None
    user: str
    created_at: str
    updated_at: str
    state: str = "open"
    state_reason: str | None = None
    closed_at: str | None = None
    labels: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    pull: PullInfo | None = None


@dataclass
class Repo:
    """A repository: metadata, branches over a commit graph, issues and pull requests."""

    id: int
    owner: User
    name: str
    description: str | None
    created_at: str
    private: bool = False
    default_branch: str = "main"
    language: str | None = None
    topics: list[str] = field(default_factory=list)
    archived: bool = False
    protected: set[str] = field(default_factory=set)
    branches: dict[str, str] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    updated_at: str = ""
    pushed_at: str = ""

    @property
    def full_name(self) -> str:
        """`owner/name`."""
        return f"{self.owner.login}/{self.name}"

    def next_number(self) -> int:
        """The number the next issue or pull request gets."""
        return max(self.issues, default=0) + 1

    def resolve(self, ref: str | None) -> Commit | None:
        """The commit a branch name, a full SHA or a SHA prefix (>= 7) points at."""
        ref = ref or self.default_branch
        ref = ref.removeprefix("refs/heads/").removeprefix("heads/")
        if ref in self.branches:
            return self.commits[self.branches[ref]]
        if ref in self.commits:
            return self.commits[ref]
        if len(ref) >= 7:
            found = [c for sha, c in self.commits.items() if sha.startswith(ref.lower())]
            if len(found) == 1:
                return found[0]
        return None

    def commit_files(
        self,
        branch: str,
        changes: Mapping[str, bytes | None],
        message: str,
        author: str,
        date: str,
    ) -> Commit:
        """Commit `changes` (None deletes a path) on top of `branch` and move the branch."""
        parent = self.commits.get(self.branches.get(branch, ""))
        tree = dict(parent.tree) if parent else {}
        for path, data in changes.items():
            if data is None:
                tree.pop(path, None)
            else:
                tree[path] = data
        commit = make_commit(tree, (parent.sha,) if parent else (), message, author, date)
        self.commits[commit.sha] = commit
        self.branches[branch] = commit.sha
        self.pushed_at = self.updated_at = date
        for issue in self.issues.values():  # open pull requests follow their head branch
            if issue.pull and issue.state == "open" and issue.pull.head == branch:
                issue.pull.head_sha = commit.sha
        return commit

    def issue(self, number: int) -> Issue:
        """The issue or pull request with that number; 404 otherwise."""
        found = self.issues.get(number)
        if found is None:
            raise not_found("https://docs.github.com/rest/issues/issues#get-an-issue")
        return found

    def label(self, name: str, next_id: int) -> Label:
        """The label of that name (case-insensitive), created when new, as GitHub does."""
        key = name.lower()
        if key not in self.labels:
            self.labels[key] = Label(next_id, name)
        return self.labels[key]

    def check_writable(self) -> None:
        """Archived repositories refuse every write."""
        if self.archived:
            raise GitHubError(403, "Repository was archived so is read-only.")


class Hub:
    """Every account and repository of one simulated GitHub, and the token's owner."""

    def __init__(self, viewer: str) -> None:
        self._ids = itertools.count(1_000_001)
        self.users: dict[str, User] = {}
        self.repos: dict[tuple[str, str], Repo] = {}
        self.members: dict[str, set[str]] = {}  # organisation -> member logins
        self.viewer = self.add_user(viewer, name="MCP platform integration")

    def next_id(self) -> int:
        """A fresh numeric id (ids are unique across every kind of object)."""
        return next(self._ids)

    def add_user(self, login: str, *, kind: str = "User", name: str | None = None) -> User:
        """Create an account."""
        user = User(login, self.next_id(), kind, name)
        self.users[login.lower()] = user
        return user

    def user(self, login: str) -> User | None:
        """An account by login (case-insensitive)."""
        return self.users.get(login.lower())

    def add_repo(self, owner: User, name: str, description: str, created_at: str) -> Repo:
        """Create an empty repository (no branch yet)."""
        repo = Repo(self.next_id(), owner, name, description, created_at)
        repo.updated_at = repo.pushed_at = created_at
        self.repos[(owner.login.lower(), name.lower())] = repo
        return repo

    def add_issue(
        self,
        repo: Repo,
        title: str,
        body: str | None,
        user: str,
        created_at: str,
        updated_at: str | None = None,
        *,
        labels: list[str] | None = None,
        assignees: list[str] | None = None,
        pull: PullInfo | None = None,
    ) -> Issue:
        """Open an issue (a pull request with `pull`) in `repo` under the next number."""
        issue = Issue(
            self.next_id(),
            repo.next_number(),
            title,
            body,
            user,
            created_at,
            updated_at or created_at,
            labels=labels or [],
            assignees=assignees or [],
            pull=pull,
        )
        repo.issues[issue.number] = issue
        return issue

    def repo(self, owner: str, name: str) -> Repo:
        """A repository by owner and name (case-insensitive); 404 otherwise."""
        found = self.repos.get((owner.lower(), name.lower()))
        if found is None:
            raise not_found("https://docs.github.com/rest/repos/repos#get-a-repository")
        return found

    def repos_of(self, owner: str) -> list[Repo]:
        """The repositories an account owns."""
        return [r for (o, _), r in self.repos.items() if o == owner.lower()]

    def visible_to_viewer(self) -> list[Repo]:
        """What `GET /user/repos` lists: owned ones and those of the viewer's organisations."""
        orgs = {o for o, members in self.members.items() if self.viewer.login.lower() in members}
        return [
            r for (o, _), r in self.repos.items() if o == self.viewer.login.lower() or o in orgs
        ]

    def assignable(self, repo: Repo, login: str) -> bool:
        """Whether `login` may be assigned in `repo` (an owner or an organisation member)."""
        user = self.user(login)
        if user is None or user.type == "Organization":
            return False
        owner = repo.owner.login.lower()
        return user.login.lower() == owner or user.login.lower() in self.members.get(owner, set())
