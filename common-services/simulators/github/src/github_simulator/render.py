"""JSON representations of accounts, repositories, labels, issues and comments (REST v3)."""

from __future__ import annotations

import base64
from typing import Any

from .state import Comment, Hub, Issue, Label, Repo, User

__all__ = [
    "association",
    "comment_json",
    "issue_json",
    "label_json",
    "node_id",
    "repo_json",
    "repo_url",
    "user_json",
]


def node_id(kind: str, number: int) -> str:
    """A GraphQL-style global id (opaque to clients, stable for an object)."""
    return base64.b64encode(f"04:{kind}{number}".encode()).decode().rstrip("=")


def user_json(base: str, user: User) -> dict[str, Any]:
    """The `simple-user` shape embedded everywhere."""
    return {
        "login": user.login,
        "id": user.id,
        "node_id": node_id(user.type, user.id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
        "url": f"{base}/users/{user.login}",
        "html_url": f"{base}/{user.login}",
        "repos_url": f"{base}/users/{user.login}/repos",
        "type": user.type,
        "site_admin": False,
    }


def _user(base: str, hub: Hub, login: str) -> dict[str, Any]:
    user = hub.user(login) or User(login, 0)
    return user_json(base, user)


def repo_url(base: str, repo: Repo) -> str:
    """The API URL of a repository."""
    return f"{base}/repos/{repo.full_name}"


def repo_json(base: str, repo: Repo) -> dict[str, Any]:
    """The full repository shape (`GET /repos/{owner}/{repo}` and list items)."""
    url = repo_url(base, repo)
    open_count = sum(1 for i in repo.issues.values() if i.state == "open")
    tree = repo.resolve(None)
    size_kb = sum(len(d) for d in tree.tree.values()) // 1024 if tree else 0
    return {
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "owner": user_json(base, repo.owner),
        "html_url": f"{base}/{repo.full_name}",
        "description": repo.description,
        "fork": False,
        "url": url,
        "issues_url": f"{url}/issues{{/number}}",
        "pulls_url": f"{url}/pulls{{/number}}",
        "contents_url": f"{url}/contents/{{+path}}",
        "branches_url": f"{url}/branches{{/branch}}",
        "clone_url": f"{base}/{repo.full_name}.git",
        "default_branch": repo.default_branch,
        "visibility": "private" if repo.private else "public",
        "language": repo.language,
        "topics": list(repo.topics),
        "archived": repo.archived,
        "disabled": False,
        "has_issues": True,
        "size": size_kb,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "open_issues_count": open_count,
        "open_issues": open_count,
        "created_at": repo.created_at,
        "updated_at": repo.updated_at,
        "pushed_at": repo.pushed_at,
        "permissions": {
            "admin": False,
            "maintain": False,
            "push": not repo.archived,
            "triage": True,
            "pull": True,
        },
    }


def label_json(base: str, repo: Repo, label: Label) -> dict[str, Any]:
    """A label."""
    return {
        "id": label.id,
        "node_id": node_id("Label", label.id),
        "url": f"{repo_url(base, repo)}/labels/{label.name}",
        "name": label.name,
        "color": label.color,
        "default": label.name in ("bug", "enhancement", "documentation"),
        "description": label.description,
    }


def association(hub: Hub, repo: Repo, login: str) -> str:
    """`author_association`: OWNER, MEMBER or NONE."""
    owner = repo.owner.login.lower()
    if login.lower() == owner:
        return "OWNER"
    return "MEMBER" if login.lower() in hub.members.get(owner, set()) else "NONE"


def issue_json(base: str, hub: Hub, repo: Repo, issue: Issue) -> dict[str, Any]:
    """An issue; a pull request also appears as an issue, with a `pull_request` key."""
    url = f"{repo_url(base, repo)}/issues/{issue.number}"
    html = f"{base}/{repo.full_name}/{'pull' if issue.pull else 'issues'}/{issue.number}"
    assignees = [_user(base, hub, a) for a in issue.assignees]
    labels = [repo.labels[name.lower()] for name in issue.labels if name.lower() in repo.labels]
    body: dict[str, Any] = {
        "url": url,
        "repository_url": repo_url(base, repo),
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "html_url": html,
        "id": issue.id,
        "node_id": node_id("PullRequest" if issue.pull else "Issue", issue.id),
        "number": issue.number,
        "title": issue.title,
        "user": _user(base, hub, issue.user),
        "labels": [label_json(base, repo, label) for label in labels],
        "state": issue.state,
        "locked": False,
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "milestone": None,
        "comments": len(issue.comments),
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "closed_at": issue.closed_at,
        "author_association": association(hub, repo, issue.user),
        "state_reason": issue.state_reason,
        "body": issue.body,
    }
    if issue.pull is not None:
        pulls = f"{repo_url(base, repo)}/pulls/{issue.number}"
        body["draft"] = issue.pull.draft
        body["pull_request"] = {
            "url": pulls,
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": issue.pull.merged_at,
        }
    return body


def comment_json(base: str, hub: Hub, repo: Repo, issue: Issue, comment: Comment) -> dict[str, Any]:
    """An issue comment."""
    kind = "pull" if issue.pull else "issues"
    return {
        "id": comment.id,
        "node_id": node_id("IssueComment", comment.id),
        "url": f"{repo_url(base, repo)}/issues/comments/{comment.id}",
        "html_url": f"{base}/{repo.full_name}/{kind}/{issue.number}#issuecomment-{comment.id}",
        "issue_url": f"{repo_url(base, repo)}/issues/{issue.number}",
        "body": comment.body,
        "user": _user(base, hub, comment.user),
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "author_association": association(hub, repo, comment.user),
    }
