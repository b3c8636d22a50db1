"""The REST API's routes in one table: every path the simulated GitHub serves, and by whom.

Handlers live in the `api_*` module of their resource; the order matters (first match wins).
The `/sandbox/*` controls are added by `simulator_kit` and `admin.py`.
"""

from __future__ import annotations

from starlette.routing import Route

from . import api_contents as contents
from . import api_issues as issues
from . import api_pulls as pulls
from . import api_repos as repos

__all__ = ["api_routes"]

REPO = "/repos/{owner}/{repo}"
GET, POST, PUT, PATCH = ["GET"], ["POST"], ["PUT"], ["PATCH"]


def api_routes() -> list[Route]:
    """Every route of the REST API (v3) subset the platform uses."""
    return [
        Route("/user", repos.viewer, methods=GET),
        Route("/user/repos", repos.viewer_repos, methods=GET),
        Route("/orgs/{org}/repos", repos.org_repos, methods=GET),
        Route("/users/{username}/repos", repos.user_repos, methods=GET),
        Route("/rate_limit", repos.rate_limit, methods=GET),
        Route(REPO, repos.get_repo, methods=GET),
        Route(f"{REPO}/branches", repos.list_branches, methods=GET),
        Route(f"{REPO}/branches/{{branch:path}}", repos.get_branch, methods=GET),
        Route(f"{REPO}/commits", repos.list_commits, methods=GET),
        Route(f"{REPO}/commits/{{ref:path}}", repos.get_commit, methods=GET),
        Route(f"{REPO}/git/ref/{{ref:path}}", repos.get_ref, methods=GET),
        Route(f"{REPO}/git/refs", repos.create_ref, methods=POST),
        Route(f"{REPO}/contents", contents.get_contents, methods=GET),
        Route(f"{REPO}/contents/{{path:path}}", contents.get_contents, methods=GET),
        Route(f"{REPO}/contents/{{path:path}}", contents.put_contents, methods=PUT),
        Route(f"{REPO}/issues", issues.list_issues, methods=GET),
        Route(f"{REPO}/issues", issues.create_issue, methods=POST),
        Route(f"{REPO}/issues/{{number}}", issues.get_issue, methods=GET),
        Route(f"{REPO}/issues/{{number}}", issues.update_issue, methods=PATCH),
        Route(f"{REPO}/issues/{{number}}/comments", issues.list_comments, methods=GET),
        Route(f"{REPO}/issues/{{number}}/comments", issues.create_comment, methods=POST),
        Route("/search/issues", issues.search, methods=GET),
        Route(f"{REPO}/pulls", pulls.list_pulls, methods=GET),
        Route(f"{REPO}/pulls", pulls.create_pull, methods=POST),
        Route(f"{REPO}/pulls/{{number}}", pulls.get_pull, methods=GET),
        Route(f"{REPO}/pulls/{{number}}/files", pulls.list_files, methods=GET),
    ]
