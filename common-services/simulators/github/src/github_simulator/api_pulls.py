"""Pull requests: list, read (with merge state and diff stats), open, and their changed files."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .api_repos import repo_of
from .context import base_url, context_of, read_object
from .errors import field_error, missing_param, not_found, validation_failed
from .git import ancestors
from .paging import paginate
from .render_git import change_json, pull_changes, pull_json
from .state import Issue, PullInfo, Repo, now_iso

__all__ = ["create_pull", "get_pull", "list_files", "list_pulls"]

_DOCS = "https://docs.github.com/rest/pulls/pulls"


def _pull(request: Request, repo: Repo) -> Issue:
    try:
        number = int(request.path_params["number"])
    except ValueError:
        raise not_found(f"{_DOCS}#get-a-pull-request") from None
    issue = repo.issues.get(number)
    if issue is None or issue.pull is None:
        raise not_found(f"{_DOCS}#get-a-pull-request")
    return issue


def _branch(repo: Repo, spec: str) -> str | None:
    """The branch of `head`/`base` (`branch` or `owner:branch` in this repository)."""
    owner, sep, branch = spec.rpartition(":")
    if sep and owner.lower() != repo.owner.login.lower():
        return None  # forks are not simulated
    return branch if branch in repo.branches else None


async def list_pulls(request: Request) -> Response:
    """GET /repos/{owner}/{repo}/pulls (state, head, base, sort, direction)."""
    repo = repo_of(request)
    params = request.query_params
    state = params.get("state", "open")
    if state not in ("open", "closed", "all"):
        raise validation_failed(field_error("PullRequest", "state", "invalid", value=state))
    pulls = [i for i in repo.issues.values() if i.pull and state in ("all", i.state)]
    if params.get("head"):
        owner, _, branch = params["head"].rpartition(":")
        same_owner = not owner or owner.lower() == repo.owner.login.lower()
        pulls = [i for i in pulls if same_owner and i.pull and i.pull.head == branch]
    if params.get("base"):
        pulls = [i for i in pulls if i.pull and i.pull.base == params["base"]]
    sort = params.get("sort", "created")
    keys = {"updated": lambda i: i.updated_at, "popularity": lambda i: len(i.comments)}
    key = keys.get(sort, lambda i: i.created_at)
    pulls.sort(key=key, reverse=params.get("direction", "desc") != "asc")  # type: ignore[arg-type]
    page, headers = paginate(request, pulls)
    base, hub = base_url(request), context_of(request).data
    return JSONResponse([pull_json(base, hub, repo, i) for i in page], headers=headers)


async def get_pull(request: Request) -> Response:
    """GET /repos/{owner}/{repo}/pulls/{number}."""
    repo = repo_of(request)
    issue = _pull(request, repo)
    return JSONResponse(
        pull_json(base_url(request), context_of(request).data, repo, issue, full=True)
    )


async def list_files(request: Request) -> Response:
    """GET /repos/{owner}/{repo}/pulls/{number}/files: changed files with their patches."""
    repo = repo_of(request)
    issue = _pull(request, repo)
    changes, _ = pull_changes(repo, issue)
    page, headers = paginate(request, changes[:3000])  # GitHub lists at most 3,000 files
    base = base_url(request)
    assert issue.pull is not None
    ref = issue.pull.head_sha
    return JSONResponse([change_json(base, repo, ref, c) for c in page], headers=headers)


async def create_pull(request: Request) -> Response:
    """POST /repos/{owner}/{repo}/pulls {title, head, base, body?, draft?}."""
    repo = repo_of(request)
    body = await read_object(request)
    for name in ("head", "base"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise missing_param(name)
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise validation_failed(field_error("PullRequest", "title", "missing_field"))
    text, draft = body.get("body"), body.get("draft", False)
    if (text is not None and not isinstance(text, str)) or not isinstance(draft, bool):
        field = "draft" if not isinstance(draft, bool) else "body"
        raise validation_failed(field_error("PullRequest", field, "invalid"))
    head, base_branch = _branch(repo, body["head"]), _branch(repo, body["base"])
    errors = [
        field_error("PullRequest", name, "invalid")
        for name, found in (("base", base_branch), ("head", head))
        if found is None
    ]
    if errors:
        raise validation_failed(*errors, documentation_url=f"{_DOCS}#create-a-pull-request")
    assert head is not None and base_branch is not None
    repo.check_writable()
    head_sha, base_sha = repo.branches[head], repo.branches[base_branch]
    if not ancestors(repo.commits, head_sha) - ancestors(repo.commits, base_sha):
        message = f"No commits between {base_branch} and {head}"
        raise validation_failed({"resource": "PullRequest", "code": "custom", "message": message})
    for other in repo.issues.values():
        pull = other.pull
        if pull and other.state == "open" and (pull.head, pull.base) == (head, base_branch):
            message = f"A pull request already exists for {repo.owner.login}:{head}."
            raise validation_failed(
                {"resource": "PullRequest", "code": "custom", "message": message}
            )
    hub = context_of(request).data
    pull = PullInfo(head, base_branch, head_sha, draft=draft)
    issue = hub.add_issue(repo, title.strip(), text, hub.viewer.login, now_iso(), pull=pull)
    rendered = pull_json(base_url(request), hub, repo, issue, full=True)
    return JSONResponse(rendered, status_code=201, headers={"Location": rendered["url"]})
