"""Accounts, repositories, branches, commits and git references."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .context import base_url, context_of, read_object
from .errors import GitHubError, missing_param, not_found
from .git import Commit, diff_trees
from .paging import paginate
from .render import repo_json, user_json
from .render_git import branch_json, change_json, commit_json, ref_json
from .state import Repo

__all__ = [
    "create_ref",
    "get_branch",
    "get_commit",
    "get_ref",
    "get_repo",
    "list_branches",
    "list_commits",
    "org_repos",
    "rate_limit",
    "repo_of",
    "user_repos",
    "viewer",
    "viewer_repos",
]

_SHA = re.compile(r"^[0-9a-f]{40}$")
_BAD_REF = re.compile(r"(\.\.|[\x00-\x20~^:?*\[\\]|@\{|//|/$|\.lock$|\.$|^-)")


def repo_of(request: Request) -> Repo:
    """The repository named by the `owner` and `repo` path parameters; 404 otherwise."""
    params = request.path_params
    return context_of(request).data.repo(params["owner"], params["repo"])


def _list(request: Request, repos: list[Repo], default_sort: str) -> Response:
    params = request.query_params
    kind = params.get("type") or params.get("visibility") or "all"  # orgs / the viewer
    if kind in ("public", "private"):
        repos = [r for r in repos if r.private == (kind == "private")]
    elif kind == "forks":
        repos = []  # the simulator holds no fork
    sort = request.query_params.get("sort", default_sort)
    attribute = {"created": "created_at", "updated": "updated_at", "pushed": "pushed_at"}
    default_direction = "asc" if sort == "full_name" else "desc"
    reverse = request.query_params.get("direction", default_direction) == "desc"
    if sort in attribute:
        repos = sorted(repos, key=lambda r: str(getattr(r, attribute[sort])), reverse=reverse)
    else:
        repos = sorted(repos, key=lambda r: r.full_name.lower(), reverse=reverse)
    page, headers = paginate(request, repos)
    base = base_url(request)
    return JSONResponse([repo_json(base, r) for r in page], headers=headers)


async def viewer(request: Request) -> Response:
    """GET /user: the token's owner."""
    ctx = context_of(request)
    body = user_json(base_url(request), ctx.data.viewer)
    body["name"] = ctx.data.viewer.name
    return JSONResponse(body)


async def viewer_repos(request: Request) -> Response:
    """GET /user/repos: repositories the viewer owns or reaches through an organisation."""
    return _list(request, context_of(request).data.visible_to_viewer(), "full_name")


async def org_repos(request: Request) -> Response:
    """GET /orgs/{org}/repos."""
    hub = context_of(request).data
    org = hub.user(request.path_params["org"])
    if org is None or org.type != "Organization":
        raise not_found("https://docs.github.com/rest/repos/repos#list-organization-repositories")
    return _list(request, hub.repos_of(org.login), "created")


async def user_repos(request: Request) -> Response:
    """GET /users/{username}/repos (public ones of anyone, like GitHub)."""
    hub = context_of(request).data
    user = hub.user(request.path_params["username"])
    if user is None:
        raise not_found()
    return _list(request, [r for r in hub.repos_of(user.login) if not r.private], "full_name")


async def get_repo(request: Request) -> Response:
    """GET /repos/{owner}/{repo}."""
    return JSONResponse(repo_json(base_url(request), repo_of(request)))


async def rate_limit(request: Request) -> Response:
    """GET /rate_limit: the token's buckets (this request counts against none)."""
    limits = context_of(request).limits
    now = limits.clock()
    core, search = limits.core.view(now), limits.search.view(now)
    return JSONResponse({"resources": {"core": core, "search": search}, "rate": core})


async def list_branches(request: Request) -> Response:
    """GET /repos/{owner}/{repo}/branches (`protected=true` filters)."""
    repo = repo_of(request)
    names = sorted(repo.branches)
    if request.query_params.get("protected") in ("true", "false"):
        wanted = request.query_params["protected"] == "true"
        names = [n for n in names if (n in repo.protected) == wanted]
    page, headers = paginate(request, names)
    base = base_url(request)
    return JSONResponse([branch_json(base, repo, n) for n in page], headers=headers)


async def get_branch(request: Request) -> Response:
    """GET /repos/{owner}/{repo}/branches/{branch}."""
    repo = repo_of(request)
    name = request.path_params["branch"]
    if name not in repo.branches:
        raise GitHubError(404, "Branch not found")
    base = base_url(request)
    commit = repo.commits[repo.branches[name]]
    body: dict[str, Any] = {
        "name": name,
        "commit": commit_json(base, context_of(request).data, repo, commit),
        "protected": name in repo.protected,
        "protection_url": f"{base}/repos/{repo.full_name}/branches/{name}/protection",
    }
    return JSONResponse(body)


def _history(repo: Repo, start: Commit) -> list[Commit]:
    """Every commit reachable from `start`, newest first."""
    seen: dict[str, Commit] = {}
    stack = [start.sha]
    while stack:
        sha = stack.pop()
        if sha not in seen and sha in repo.commits:
            seen[sha] = repo.commits[sha]
            stack.extend(seen[sha].parents)
    return sorted(seen.values(), key=lambda c: c.date, reverse=True)


def _touches(repo: Repo, commit: Commit, path: str) -> bool:
    parent = repo.commits.get(commit.parents[0]) if commit.parents else None
    before = parent.tree if parent else {}
    return any(
        c.filename == path or c.filename.startswith(f"{path}/")
        for c in diff_trees(before, commit.tree)
    )


async def list_commits(request: Request) -> Response:
    """GET /repos/{owner}/{repo}/commits (`sha` = branch or SHA, `path` filters)."""
    repo = repo_of(request)
    ref = request.query_params.get("sha")
    start = repo.resolve(ref)
    if start is None:
        if not repo.branches:
            raise GitHubError(409, "Git Repository is empty.")
        raise GitHubError(404, f"No commit found for SHA: {ref}")
    history = _history(repo, start)
    path = request.query_params.get("path", "").strip("/")
    if path:
        history = [c for c in history if _touches(repo, c, path)]
    page, headers = paginate(request, history)
    base, hub = base_url(request), context_of(request).data
    return JSONResponse([commit_json(base, hub, repo, c) for c in page], headers=headers)


async def get_commit(request: Request) -> Response:
    """GET /repos/{owner}/{repo}/commits/{ref}: the commit with its stats and files."""
    repo = repo_of(request)
    ref = request.path_params["ref"]
    commit = repo.resolve(ref)
    if commit is None:
        raise GitHubError(422, f"No commit found for SHA: {ref}")
    parent = repo.commits.get(commit.parents[0]) if commit.parents else None
    changes = diff_trees(parent.tree if parent else {}, commit.tree)
    base = base_url(request)
    body = commit_json(base, context_of(request).data, repo, commit)
    additions, deletions = sum(c.additions for c in changes), sum(c.deletions for c in changes)
    body["stats"] = {"total": additions + deletions, "additions": additions, "deletions": deletions}
    body["files"] = [change_json(base, repo, commit.sha, c) for c in changes]
    return JSONResponse(body)


async def get_ref(request: Request) -> Response:
    """GET /repos/{owner}/{repo}/git/ref/heads/{branch}."""
    repo = repo_of(request)
    ref = request.path_params["ref"]
    branch = ref.removeprefix("heads/")
    if not ref.startswith("heads/") or branch not in repo.branches:
        raise not_found("https://docs.github.com/rest/git/refs#get-a-reference")
    return JSONResponse(ref_json(base_url(request), repo, f"refs/{ref}", repo.branches[branch]))


async def create_ref(request: Request) -> Response:
    """POST /repos/{owner}/{repo}/git/refs {ref: refs/heads/<name>, sha}: a new branch."""
    repo = repo_of(request)
    body = await read_object(request)
    for name in ("ref", "sha"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise missing_param(name)
    ref, sha = body["ref"], body["sha"]
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise GitHubError(
            422, "Reference name must start with 'refs/' and have at least two slashes."
        )
    if not ref.startswith("refs/heads/") or _BAD_REF.search(ref.removeprefix("refs/heads/")):
        raise GitHubError(422, f"{ref} is not a valid ref name.")
    repo.check_writable()
    if not _SHA.match(sha) or sha not in repo.commits:
        raise GitHubError(422, "Object does not exist")
    branch = ref.removeprefix("refs/heads/")
    if branch in repo.branches:
        raise GitHubError(422, "Reference already exists")
    repo.branches[branch] = sha
    return JSONResponse(ref_json(base_url(request), repo, ref, sha), status_code=201)
