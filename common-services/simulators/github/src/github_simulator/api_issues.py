"""Issues (pull requests included, as on GitHub), issue comments and issue search."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .api_repos import repo_of
from .context import base_url, context_of, read_object
from .errors import field_error, missing_param, not_found, validation_failed
from .paging import paginate
from .render import comment_json, issue_json
from .search import search_issues
from .state import Comment, Hub, Issue, Repo, now_iso

__all__ = [
    "create_comment",
    "create_issue",
    "get_issue",
    "list_comments",
    "list_issues",
    "search",
    "update_issue",
]

_STATES = ("open", "closed")
_REASONS = ("completed", "not_planned", "reopened")


def _invalid(field: str, value: Any, resource: str = "Issue") -> Exception:
    return validation_failed(field_error(resource, field, "invalid", value=value))


def _number(request: Request) -> int:
    try:
        return int(request.path_params["number"])
    except ValueError:
        raise not_found() from None


def _filtered(request: Request, repo: Repo) -> list[Issue]:
    params = request.query_params
    state = params.get("state", "open")
    if state not in (*_STATES, "all"):
        raise _invalid("state", state)
    issues = [i for i in repo.issues.values() if state == "all" or i.state == state]
    if params.get("labels"):
        wanted = {name.strip().lower() for name in params["labels"].split(",") if name.strip()}
        issues = [i for i in issues if wanted <= {name.lower() for name in i.labels}]
    assignee = params.get("assignee")
    if assignee == "none":
        issues = [i for i in issues if not i.assignees]
    elif assignee == "*":
        issues = [i for i in issues if i.assignees]
    elif assignee:
        issues = [i for i in issues if assignee.lower() in {a.lower() for a in i.assignees}]
    if params.get("creator"):
        issues = [i for i in issues if i.user.lower() == params["creator"].lower()]
    if params.get("since"):
        issues = [i for i in issues if i.updated_at >= params["since"]]
    sort = params.get("sort", "created")
    keys = {"updated": lambda i: i.updated_at, "comments": lambda i: len(i.comments)}
    key = keys.get(sort, lambda i: i.created_at)
    return sorted(issues, key=key, reverse=params.get("direction", "desc") != "asc")  # type: ignore[arg-type]


async def list_issues(request: Request) -> Response:
    """GET /repos/{owner}/{repo}/issues: issues and pull requests, newest first."""
    repo = repo_of(request)
    page, headers = paginate(request, _filtered(request, repo))
    base, hub = base_url(request), context_of(request).data
    return JSONResponse([issue_json(base, hub, repo, i) for i in page], headers=headers)


async def get_issue(request: Request) -> Response:
    """GET /repos/{owner}/{repo}/issues/{number}."""
    repo = repo_of(request)
    issue = repo.issue(_number(request))
    return JSONResponse(issue_json(base_url(request), context_of(request).data, repo, issue))


def _strings(body: dict[str, Any], field: str) -> list[str] | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, list):
        raise _invalid(field, value)
    names = [v.get("name") if isinstance(v, dict) else v for v in value]
    if not all(isinstance(n, str) and n.strip() for n in names):
        raise _invalid(field, value)
    return [str(n).strip() for n in names]


def _assignees(hub: Hub, repo: Repo, body: dict[str, Any]) -> list[str] | None:
    logins = _strings(body, "assignees")
    if logins is None and isinstance(body.get("assignee"), str):
        logins = [body["assignee"]]
    if logins is None:
        return None
    for login in logins:
        if not hub.assignable(repo, login):
            raise _invalid("assignees", login)
    return [hub.user(login).login for login in logins]  # type: ignore[union-attr]


def _labels(hub: Hub, repo: Repo, body: dict[str, Any]) -> list[str] | None:
    names = _strings(body, "labels")
    return None if names is None else [repo.label(n, hub.next_id()).name for n in names]


async def create_issue(request: Request) -> Response:
    """POST /repos/{owner}/{repo}/issues {title, body?, labels?, assignees?}."""
    repo = repo_of(request)
    body = await read_object(request)
    title = body.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        raise validation_failed(field_error("Issue", "title", "missing_field"))
    if not isinstance(title, str) or len(title) > 256:
        raise _invalid("title", title)
    text = body.get("body")
    if text is not None and not isinstance(text, str):
        raise _invalid("body", text)
    repo.check_writable()
    hub = context_of(request).data
    assignees = _assignees(hub, repo, body) or []
    labels = _labels(hub, repo, body) or []
    issue = hub.add_issue(
        repo, title.strip(), text, hub.viewer.login, now_iso(), labels=labels, assignees=assignees
    )
    rendered = issue_json(base_url(request), hub, repo, issue)
    return JSONResponse(rendered, status_code=201, headers={"Location": rendered["url"]})


async def update_issue(request: Request) -> Response:
    """PATCH /repos/{owner}/{repo}/issues/{number}: title, body, state, labels, assignees."""
    repo = repo_of(request)
    issue = repo.issue(_number(request))
    body = await read_object(request)
    hub = context_of(request).data
    state, reason = body.get("state"), body.get("state_reason")
    if state is not None and state not in _STATES:
        raise _invalid("state", state)
    if reason is not None and reason not in _REASONS:
        raise _invalid("state_reason", reason)
    for name in ("title", "body"):
        if name in body and body[name] is not None and not isinstance(body[name], str):
            raise _invalid(name, body[name])
    repo.check_writable()
    assignees, labels = _assignees(hub, repo, body), _labels(hub, repo, body)
    when = now_iso()
    if isinstance(body.get("title"), str) and body["title"].strip():
        issue.title = body["title"].strip()
    if "body" in body:
        issue.body = body["body"]
    if assignees is not None:
        issue.assignees = assignees
    if labels is not None:
        issue.labels = labels
    if state == "closed" and issue.state == "open":
        issue.state, issue.closed_at = "closed", when
        issue.state_reason = reason or "completed"
    elif state == "open" and issue.state == "closed":
        issue.state, issue.closed_at, issue.state_reason = "open", None, "reopened"
    elif reason is not None and issue.state == "closed":
        issue.state_reason = reason
    issue.updated_at = when
    return JSONResponse(issue_json(base_url(request), hub, repo, issue))


async def list_comments(request: Request) -> Response:
    """GET /repos/{owner}/{repo}/issues/{number}/comments, oldest first."""
    repo = repo_of(request)
    issue = repo.issue(_number(request))
    page, headers = paginate(request, issue.comments)
    base, hub = base_url(request), context_of(request).data
    return JSONResponse([comment_json(base, hub, repo, issue, c) for c in page], headers=headers)


async def create_comment(request: Request) -> Response:
    """POST /repos/{owner}/{repo}/issues/{number}/comments {body}."""
    repo = repo_of(request)
    issue = repo.issue(_number(request))
    body = await read_object(request)
    text = body.get("body")
    if text is None:
        raise missing_param("body")
    if not isinstance(text, str) or not text.strip():
        raise validation_failed(field_error("IssueComment", "body", "missing_field"))
    repo.check_writable()
    hub = context_of(request).data
    when = now_iso()
    comment = Comment(hub.next_id(), text, hub.viewer.login, when, when)
    issue.comments.append(comment)
    issue.updated_at = when
    rendered = comment_json(base_url(request), hub, repo, issue, comment)
    return JSONResponse(rendered, status_code=201, headers={"Location": rendered["url"]})


async def search(request: Request) -> Response:
    """GET /search/issues?q=: issues and pull requests of every repository the token sees."""
    params = request.query_params
    hub = context_of(request).data
    found = search_issues(hub, params.get("q"), params.get("sort"), params.get("order"))
    page, headers = paginate(request, found[:1000])  # GitHub serves the first 1,000 only
    base = base_url(request)
    items = [{**issue_json(base, hub, repo, issue), "score": 1.0} for repo, issue in page]
    body = {"total_count": len(found), "incomplete_results": False, "items": items}
    return JSONResponse(body, headers=headers)
