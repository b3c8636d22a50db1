"""GitHub REST (v3) client: token from the secret store, pagination, rate limits, safe errors."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import anyio
import httpx

from mcp_common.errors import UpstreamError
from mcp_common.http import Endpoint, SecretBackedClient, json_body, parse_retry_after
from mcp_common.observability import get_logger
from mcp_common.secrets import SecretStore

from .config import GitHubConfig
from .errors import BACKEND, GitHubError, GitHubNotFound, GitHubRateLimited, error_from_response
from .validation import check_branch, check_owner, check_path, repo_path

__all__ = ["API_VERSION", "DEFAULT_SECRET_PATH", "GitHubClient", "ItemKind", "Page", "Record"]

Record = dict[str, Any]
API_VERSION = "2022-11-28"
DEFAULT_SECRET_PATH = "api/github"  # a path in the SecretStore, not a secret
MAX_PER_PAGE = 100
ItemKind = Literal["issues", "pulls"]
"""A repository's issues or its pull requests (their paths in the REST API)."""
_ITEM = {"issues": "issue", "pulls": "pull request"}
_log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: its items, where it is, whether GitHub has a next one."""

    items: list[Record]
    page: int
    per_page: int
    has_next: bool
    total: int | None = None  # search results carry a total count

    @property
    def next_page(self) -> int | None:
        """The page to ask for next, or None on the last one."""
        return self.page + 1 if self.has_next else None


def _rate_limit_wait(response: httpx.Response, now: float) -> tuple[str, float | None] | None:
    """(primary|secondary, seconds to wait) when a 403/429 is a rate limit, else None."""
    if response.status_code not in (403, 429):
        return None
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    remaining = response.headers.get("X-RateLimit-Remaining")
    try:
        message = str(response.json().get("message", "")).lower()
    except (ValueError, AttributeError):
        message = ""
    if remaining == "0" and "secondary" not in message:
        try:
            reset = float(response.headers.get("X-RateLimit-Reset", ""))
        except ValueError:
            return "primary", retry_after
        return "primary", retry_after if retry_after is not None else max(0.0, reset - now)
    if "rate limit" in message or retry_after is not None or response.status_code == 429:
        return "secondary", retry_after  # None: GitHub asks for at least a minute
    return None


class GitHubClient(SecretBackedClient[GitHubConfig]):
    """Calls one GitHub API root with the token found at `secret_path`; no MCP here.

    The token is read for every call (the store caches it), so a rotated token is picked up.
    The typed methods below know the REST paths and paging; `get`, `get_page` and `send` are
    the raw calls they are made of.
    """

    BACKEND = BACKEND
    SECRET_PATH = DEFAULT_SECRET_PATH
    TIMEOUT = 15.0
    HEADERS = {
        "Accept": "application/vnd.github+json",
        "User-Agent": "mcp-github",
        "X-GitHub-Api-Version": API_VERSION,
    }

    def __init__(
        self,
        secrets: SecretStore,
        *,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        clock: Callable[[], float] = time.time,
        **options: Any,
    ) -> None:
        """`options`: those of SecretBackedClient (secret_path, timeout, retry, ...)."""
        super().__init__(secrets, **options)
        self._sleep = sleep
        self._clock = clock

    def parse_secret(self, secret: Mapping[str, Any]) -> GitHubConfig:
        """{base_url, token, verify_tls?}, validated."""
        return GitHubConfig.from_secret(secret, self.secret_path)

    def endpoint(self, config: GitHubConfig) -> Endpoint:
        """The API root and TLS verification."""
        return config.base_url, config.verify_tls

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Mapping[str, Any] | None = None,
        what: str | None = None,
    ) -> httpx.Response:
        """One call; rate limits waited out when short; 4xx raised as GitHubError subclasses.

        `what` names the target in a 404 message ("repository netops/x").
        """
        http, cfg = await self.connection()
        headers = {"Authorization": f"Bearer {cfg.token}"}
        retry, attempt = self.retry, 0
        while True:
            attempt += 1
            try:
                response = await http.request(
                    method, path, params=params, json=json, headers=headers
                )
            except UpstreamError as exc:
                if exc.status == 429:  # the transport already waited out its Retry-Afters
                    raise GitHubRateLimited(None, exc.retry_after, 429) from None
                raise
            limited = _rate_limit_wait(response, self._clock())
            if limited is None:
                break
            kind, wait = limited
            if attempt > retry.retries or wait is None or wait > retry.max_retry_after:
                raise GitHubRateLimited(kind, wait, response.status_code)
            extra = {
                "event.action": "upstream.retry",
                "backend": BACKEND,
                "attempt": attempt,
                "status": response.status_code,
                "retry.delay_s": round(wait, 3),
            }
            _log.info("retrying github after a %s rate limit", kind, extra=extra)
            await self._sleep(wait)
        if response.status_code == 401:
            raise GitHubError(
                401, f"GitHub refused the platform's token (secret '{self.secret_path}')"
            )
        if response.status_code >= 400:
            raise error_from_response(response, what)
        return response

    async def get(
        self, path: str, *, params: Mapping[str, str | int] | None = None, what: str | None = None
    ) -> Any:
        """`GET path`: the decoded JSON body."""
        return json_body(await self.request("GET", path, params=params, what=what), BACKEND)

    async def get_page(
        self,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        page: int = 1,
        per_page: int = 30,
        what: str | None = None,
        items_key: str | None = None,
    ) -> Page:
        """One page of a list endpoint (`items_key="items"` for search answers)."""
        if not 1 <= per_page <= MAX_PER_PAGE or page < 1:
            raise ValueError(f"per_page must be 1..{MAX_PER_PAGE} and page >= 1")
        query = {**(params or {}), "page": page, "per_page": per_page}
        response = await self.request("GET", path, params=query, what=what)
        body = json_body(response, BACKEND)
        total = None
        if items_key is not None and isinstance(body, dict):
            total = body.get("total_count") if isinstance(body.get("total_count"), int) else None
            body = body.get(items_key)
        if not isinstance(body, list):
            raise UpstreamError(f"{BACKEND} returned no list", backend=BACKEND)
        items = [item for item in body if isinstance(item, dict)]
        return Page(items, page, per_page, "next" in response.links, total)

    async def send(
        self, method: str, path: str, body: Mapping[str, Any], *, what: str | None = None
    ) -> tuple[int, Any]:
        """`POST`/`PATCH`/`PUT` with a JSON body: (status, decoded body)."""
        response = await self.request(method, path, json=body, what=what)
        return response.status_code, json_body(response, BACKEND)

    # --- repositories -------------------------------------------------------------------
    async def list_repositories(
        self,
        owner: str | None,
        *,
        visibility: str,
        sort: str,
        page: int = 1,
        per_page: int = 30,
    ) -> Page:
        """An organisation's or a user's repositories, or all the token sees (owner None)."""
        params: dict[str, str | int] = {"sort": sort}
        if owner is None:
            params["visibility"] = visibility
            return await self.get_page("/user/repos", params=params, page=page, per_page=per_page)
        check_owner(owner)
        params["type"] = visibility
        try:
            return await self.get_page(
                f"/orgs/{owner}/repos", params=params, page=page, per_page=per_page
            )
        except GitHubNotFound:  # not an organisation: a user account
            return await self.get_page(
                f"/users/{owner}/repos",
                params=params,
                page=page,
                per_page=per_page,
                what=f"account {owner}",
            )

    async def get_repository(self, owner: str, repo: str) -> Record:
        """One repository."""
        return _object(await self.get(repo_path(owner, repo), what=f"repository {owner}/{repo}"))

    async def default_branch(self, owner: str, repo: str) -> str:
        """The repository's default branch."""
        data = await self.get(repo_path(owner, repo), what=f"repository {owner}/{repo}")
        return str(data.get("default_branch") or "main") if isinstance(data, dict) else "main"

    async def get_contents(
        self, owner: str, repo: str, path: str, ref: str | None = None
    ) -> Record | list[Record]:
        """A file object (base64 content, sha) or, for a directory, its entries."""
        quoted = check_path(path, allow_root=True)
        params = {"ref": check_branch(ref, "ref")} if ref else None
        where = f" at {ref}" if ref else ""
        data = await self.get(
            f"{repo_path(owner, repo)}/contents/{quoted}".rstrip("/"),
            params=params,
            what=f"path '{path}'{where} in {owner}/{repo}",
        )
        if isinstance(data, list):
            return [entry for entry in data if isinstance(entry, dict)]
        return _object(data)

    async def branch_sha(self, owner: str, repo: str, branch: str) -> str:
        """The commit sha a branch points at."""
        path = f"{repo_path(owner, repo)}/branches/{branch}"
        data = await self.get(path, what=f"branch {branch} of {owner}/{repo}")
        return str(data["commit"]["sha"])

    async def create_branch(self, owner: str, repo: str, branch: str, sha: str) -> str:
        """Create `refs/heads/{branch}` at `sha`; the sha it points at."""
        _, ref = await self.send(
            "POST",
            f"{repo_path(owner, repo)}/git/refs",
            {"ref": f"refs/heads/{branch}", "sha": sha},
            what=f"repository {owner}/{repo}",
        )
        return str(ref["object"]["sha"])

    async def put_file(
        self, owner: str, repo: str, path: str, body: Mapping[str, Any]
    ) -> tuple[bool, Record]:
        """Create or update one file (one commit): (created, the answer with content, commit)."""
        status, data = await self.send(
            "PUT",
            f"{repo_path(owner, repo)}/contents/{check_path(path)}",
            body,
            what=f"branch {body.get('branch')} of {owner}/{repo}",
        )
        return status == 201, _object(data)

    # --- issues and pull requests -------------------------------------------------------
    async def list_items(
        self,
        owner: str,
        repo: str,
        kind: ItemKind,
        params: Mapping[str, str | int],
        *,
        page: int = 1,
        per_page: int = 30,
    ) -> Page:
        """One page of a repository's issues (GitHub includes pull requests) or pull requests."""
        path, what = f"{repo_path(owner, repo)}/{kind}", f"repository {owner}/{repo}"
        return await self.get_page(path, params=params, page=page, per_page=per_page, what=what)

    async def get_item(self, owner: str, repo: str, kind: ItemKind, number: int) -> Record:
        """One issue (or pull request conversation), or one pull request."""
        path = f"{repo_path(owner, repo)}/{kind}/{number}"
        return _object(await self.get(path, what=f"{_ITEM[kind]} #{number} of {owner}/{repo}"))

    async def create_item(
        self, owner: str, repo: str, kind: ItemKind, values: Mapping[str, Any]
    ) -> Record:
        """Open an issue or a pull request."""
        path = f"{repo_path(owner, repo)}/{kind}"
        _, data = await self.send("POST", path, values, what=f"repository {owner}/{repo}")
        return _object(data)

    # --- issues -------------------------------------------------------------------------
    async def search_issues(
        self, params: Mapping[str, str | int], *, page: int = 1, per_page: int = 30
    ) -> Page:
        """One page of `GET /search/issues` (with the total count)."""
        return await self.get_page(
            "/search/issues", params=params, page=page, per_page=per_page, items_key="items"
        )

    async def issue_comments(self, owner: str, repo: str, number: int) -> list[Record]:
        """The first page of an issue's comments."""
        path = f"{repo_path(owner, repo)}/issues/{number}/comments"
        return (await self.get_page(path, what=f"issue #{number} of {owner}/{repo}")).items

    async def add_issue_comment(self, owner: str, repo: str, number: int, body: str) -> Record:
        """Comment on an issue or a pull request conversation."""
        path = f"{repo_path(owner, repo)}/issues/{number}/comments"
        what = f"issue #{number} of {owner}/{repo}"
        _, data = await self.send("POST", path, {"body": body}, what=what)
        return _object(data)

    async def update_issue(
        self, owner: str, repo: str, number: int, values: Mapping[str, Any]
    ) -> Record:
        """Change an issue's state, labels or assignees."""
        path = f"{repo_path(owner, repo)}/issues/{number}"
        what = f"issue #{number} of {owner}/{repo}"
        _, data = await self.send("PATCH", path, values, what=what)
        return _object(data)

    # --- pull requests ------------------------------------------------------------------
    async def pull_request_files(
        self, owner: str, repo: str, number: int, *, per_page: int = 100
    ) -> Page:
        """The first page of the files a pull request changes."""
        path = f"{repo_path(owner, repo)}/pulls/{number}/files"
        what = f"pull request #{number} of {owner}/{repo}"
        return await self.get_page(path, per_page=per_page, what=what)


def _object(data: Any) -> Record:
    """A JSON object answer; anything else is a malformed answer."""
    if not isinstance(data, dict):
        raise UpstreamError(f"{BACKEND} returned a malformed answer", backend=BACKEND)
    return data
