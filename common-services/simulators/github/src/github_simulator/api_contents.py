"""Repository contents: read files and directories, create or update a file (one commit)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .api_repos import repo_of
from .context import base_url, context_of, read_object
from .errors import GitHubError, missing_param, not_found
from .git import blob_sha
from .render_git import commit_json, content_json, dir_entries
from .state import now_iso

__all__ = ["get_contents", "put_contents"]

_DOCS = "https://docs.github.com/rest/repos/contents"


async def get_contents(request: Request) -> Response:
    """GET /repos/{owner}/{repo}/contents/{path}?ref=: a file (base64) or a directory listing."""
    repo = repo_of(request)
    ref = request.query_params.get("ref") or repo.default_branch
    commit = repo.resolve(ref)
    if commit is None:
        if not repo.branches:
            raise GitHubError(404, "This repository is empty.")
        raise GitHubError(404, f"No commit found for the ref {ref}")
    path = request.path_params.get("path", "").strip("/")
    base = base_url(request)
    if path in commit.tree:
        return JSONResponse(content_json(base, repo, path, ref, commit.tree[path]))
    entries = dir_entries(base, repo, dict(commit.tree), path, ref)
    if entries is None:
        raise not_found(f"{_DOCS}#get-repository-content")
    return JSONResponse(entries)


def _text(body: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise missing_param(name)
        return None
    if not isinstance(value, str):
        raise GitHubError(
            422, f"Invalid request.\n\nFor 'properties/{name}', {value!r} is not a string."
        )
    return value


def _decode(content: str) -> bytes:
    try:
        return base64.b64decode("".join(content.split()), validate=True)
    except (binascii.Error, ValueError):
        raise GitHubError(422, "content is not valid Base64") from None


async def put_contents(request: Request) -> Response:
    """PUT /repos/{owner}/{repo}/contents/{path}: create (201) or update (200, needs `sha`)."""
    repo = repo_of(request)
    path = request.path_params["path"].strip("/")
    body = await read_object(request)
    message = _text(body, "message", required=True)
    data = _decode(_text(body, "content", required=True) or "")
    sha = _text(body, "sha", required=False)
    branch = _text(body, "branch", required=False) or repo.default_branch
    assert message is not None
    repo.check_writable()
    if branch not in repo.branches:
        raise GitHubError(404, f"Branch {branch} not found")
    if branch in repo.protected:
        raise GitHubError(
            409,
            "Changes must be made through a pull request.",
            documentation_url=f"{_DOCS}#create-or-update-file-contents",
        )
    tree = repo.commits[repo.branches[branch]].tree
    if any(name.startswith(f"{path}/") for name in tree):
        raise GitHubError(422, f"Invalid request.\n\n{path} is a directory.")
    existing = tree.get(path)
    if existing is not None and sha is None:
        raise missing_param("sha")
    if sha is not None and (existing is None or blob_sha(existing) != sha):
        # A stale (or invented) sha: someone changed the file since it was read.
        raise GitHubError(
            409,
            f"{path} does not match {sha}",
            documentation_url=f"{_DOCS}#create-or-update-file-contents",
        )
    hub = context_of(request).data
    commit = repo.commit_files(branch, {path: data}, message, hub.viewer.login, now_iso())
    base = base_url(request)
    rendered = commit_json(base, hub, repo, commit)
    git_commit = {
        "sha": commit.sha,
        "node_id": rendered["node_id"],
        "url": rendered["commit"]["url"],
        "html_url": rendered["html_url"],
        "author": rendered["commit"]["author"],
        "committer": rendered["commit"]["committer"],
        "message": commit.message,
        "tree": rendered["commit"]["tree"],
        "parents": rendered["parents"],
        "verification": rendered["commit"]["verification"],
    }
    result = {
        "content": content_json(base, repo, path, branch, data, with_content=False),
        "commit": git_commit,
    }
    return JSONResponse(result, status_code=200 if existing is not None else 201)
