"""JSON representations of git data: commits, branches, refs, contents and pull requests."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from .git import Commit, FileChange, ancestors, blob_sha, diff_trees
from .render import issue_json, node_id, repo_json, repo_url, user_json
from .state import Hub, Issue, Repo

__all__ = [
    "MAX_INLINE",
    "branch_json",
    "change_json",
    "commit_json",
    "content_json",
    "dir_entries",
    "merge_base",
    "pull_changes",
    "pull_json",
    "ref_json",
]

# The contents API inlines files up to 1 MB; larger ones come with encoding "none".
MAX_INLINE = 1024 * 1024


def commit_json(base: str, hub: Hub, repo: Repo, commit: Commit) -> dict[str, Any]:
    """A commit as `GET /repos/{o}/{r}/commits` lists it."""
    url = repo_url(base, repo)
    user = hub.user(commit.author)
    person = {
        "name": user.name or user.login if user else commit.author,
        "email": f"{commit.author}@users.noreply.github.com",
        "date": commit.date,
    }
    return {
        "sha": commit.sha,
        "node_id": node_id("Commit", int(commit.sha[:8], 16)),
        "commit": {
            "author": person,
            "committer": person,
            "message": commit.message,
            "tree": {"sha": commit.tree_sha, "url": f"{url}/git/trees/{commit.tree_sha}"},
            "url": f"{url}/git/commits/{commit.sha}",
            "comment_count": 0,
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
            },
        },
        "url": f"{url}/commits/{commit.sha}",
        "html_url": f"{base}/{repo.full_name}/commit/{commit.sha}",
        "author": user_json(base, user) if user else None,
        "committer": user_json(base, user) if user else None,
        "parents": [
            {
                "sha": p,
                "url": f"{url}/commits/{p}",
                "html_url": f"{base}/{repo.full_name}/commit/{p}",
            }
            for p in commit.parents
        ],
    }


def change_json(base: str, repo: Repo, ref: str, change: FileChange) -> dict[str, Any]:
    """One changed file of a commit or pull request."""
    path = quote(change.filename)
    entry: dict[str, Any] = {
        "sha": change.sha,
        "filename": change.filename,
        "status": change.status,
        "additions": change.additions,
        "deletions": change.deletions,
        "changes": change.additions + change.deletions,
        "blob_url": f"{base}/{repo.full_name}/blob/{ref}/{path}",
        "raw_url": f"{base}/{repo.full_name}/raw/{ref}/{path}",
        "contents_url": f"{repo_url(base, repo)}/contents/{path}?ref={ref}",
    }
    if change.patch is not None:
        entry["patch"] = change.patch
    return entry


def branch_json(base: str, repo: Repo, name: str) -> dict[str, Any]:
    """A branch as `GET /repos/{o}/{r}/branches` lists it."""
    sha = repo.branches[name]
    return {
        "name": name,
        "commit": {"sha": sha, "url": f"{repo_url(base, repo)}/commits/{sha}"},
        "protected": name in repo.protected,
    }


def ref_json(base: str, repo: Repo, ref: str, sha: str) -> dict[str, Any]:
    """A git reference (`POST /repos/{o}/{r}/git/refs`)."""
    url = repo_url(base, repo)
    return {
        "ref": ref,
        "node_id": node_id("Ref", int(sha[:8], 16)),
        "url": f"{url}/git/{ref}",
        "object": {"sha": sha, "type": "commit", "url": f"{url}/git/commits/{sha}"},
    }


def _links(base: str, repo: Repo, path: str, ref: str, sha: str, kind: str) -> dict[str, Any]:
    url = repo_url(base, repo)
    quoted = quote(path)
    html = f"{base}/{repo.full_name}/{'blob' if kind == 'file' else 'tree'}/{ref}/{quoted}"
    git = f"{url}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}"
    own = f"{url}/contents/{quoted}?ref={ref}"
    return {
        "url": own,
        "html_url": html,
        "git_url": git,
        "download_url": f"{base}/{repo.full_name}/raw/{ref}/{quoted}" if kind == "file" else None,
        "_links": {"self": own, "git": git, "html": html},
    }


def content_json(
    base: str, repo: Repo, path: str, ref: str, data: bytes, *, with_content: bool = True
) -> dict[str, Any]:
    """A file: base64 in lines of 60 characters like GitHub's, or encoding `none` over 1 MB."""
    sha = blob_sha(data)
    entry: dict[str, Any] = {
        "type": "file",
        "size": len(data),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
    }
    if with_content:
        if len(data) > MAX_INLINE:
            entry.update(encoding="none", content="")
        else:
            text = base64.b64encode(data).decode()
            lines = [text[i : i + 60] for i in range(0, len(text), 60)]
            entry.update(encoding="base64", content="\n".join(lines) + "\n")
    entry.update(_links(base, repo, path, ref, sha, "file"))
    return entry


def dir_entries(
    base: str, repo: Repo, tree: dict[str, bytes], path: str, ref: str
) -> list[dict[str, Any]] | None:
    """The entries of directory `path` ("" for the root); None when it is not a directory."""
    prefix = f"{path}/" if path else ""
    files: dict[str, bytes] = {}
    dirs: dict[str, list[str]] = {}
    for name, data in tree.items():
        if not name.startswith(prefix):
            continue
        head, sep, _ = name[len(prefix) :].partition("/")
        if sep:
            dirs.setdefault(head, []).append(name)
        else:
            files[head] = data
    if path and not files and not dirs:
        return None
    entries = [
        content_json(base, repo, prefix + n, ref, d, with_content=False) for n, d in files.items()
    ]
    for name, members in dirs.items():
        sha = blob_sha("\n".join(sorted(members)).encode())
        entry = {"type": "dir", "size": 0, "name": name, "path": prefix + name, "sha": sha}
        entries.append({**entry, **_links(base, repo, prefix + name, ref, sha, "dir")})
    return sorted(entries, key=lambda e: (e["type"] != "dir", e["name"]))


def merge_base(repo: Repo, head: str, base: str) -> str | None:
    """The newest commit reachable from both `head` and `base` (breadth first from head)."""
    reachable = ancestors(repo.commits, base)
    queue, seen = [head], set()
    while queue:
        sha = queue.pop(0)
        if sha in reachable:
            return sha
        if sha in seen or sha not in repo.commits:
            continue
        seen.add(sha)
        queue.extend(repo.commits[sha].parents)
    return None


def pull_changes(repo: Repo, issue: Issue) -> tuple[list[FileChange], int]:
    """The files a pull request changes (against the merge base) and its commit count."""
    assert issue.pull is not None
    head = issue.pull.head_sha
    base_sha = repo.branches.get(issue.pull.base, "")
    start = merge_base(repo, head, base_sha)
    old = repo.commits[start].tree if start else {}
    commits = len(ancestors(repo.commits, head) - ancestors(repo.commits, base_sha))
    return diff_trees(old, repo.commits[head].tree), commits


def _side(base: str, hub: Hub, repo: Repo, branch: str, sha: str) -> dict[str, Any]:
    return {
        "label": f"{repo.owner.login}:{branch}",
        "ref": branch,
        "sha": sha,
        "user": user_json(base, repo.owner),
        "repo": repo_json(base, repo),
    }


def pull_json(
    base: str, hub: Hub, repo: Repo, issue: Issue, *, full: bool = False
) -> dict[str, Any]:
    """A pull request; `full` adds the merge state and diff statistics of `GET /pulls/{n}`."""
    pull = issue.pull
    assert pull is not None
    as_issue = issue_json(base, hub, repo, issue)
    url = f"{repo_url(base, repo)}/pulls/{issue.number}"
    body: dict[str, Any] = {
        "url": url,
        "id": issue.id,
        "node_id": as_issue["node_id"],
        "html_url": as_issue["html_url"],
        "diff_url": f"{as_issue['html_url']}.diff",
        "patch_url": f"{as_issue['html_url']}.patch",
        "issue_url": as_issue["url"],
        "commits_url": f"{url}/commits",
        "comments_url": as_issue["comments_url"],
        "number": issue.number,
        "state": issue.state,
        "locked": False,
        "title": issue.title,
        "user": as_issue["user"],
        "body": issue.body,
        "labels": as_issue["labels"],
        "milestone": None,
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "closed_at": issue.closed_at,
        "merged_at": pull.merged_at,
        "merge_commit_sha": None,
        "assignee": as_issue["assignee"],
        "assignees": as_issue["assignees"],
        "requested_reviewers": [],
        "draft": pull.draft,
        "head": _side(base, hub, repo, pull.head, pull.head_sha),
        "base": _side(base, hub, repo, pull.base, repo.branches.get(pull.base, "")),
        "author_association": as_issue["author_association"],
    }
    if full:
        changes, commits = pull_changes(repo, issue)
        body.update(
            merged=pull.merged_at is not None,
            mergeable=True if issue.state == "open" else None,
            mergeable_state="clean" if issue.state == "open" else "unknown",
            merged_by=None,
            comments=len(issue.comments),
            review_comments=0,
            maintainer_can_modify=False,
            commits=commits,
            additions=sum(c.additions for c in changes),
            deletions=sum(c.deletions for c in changes),
            changed_files=len(changes),
        )
    return body
