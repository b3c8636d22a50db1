"""GitHub REST (v3) client: token from the secret store, pagination, rate limits, safe errors."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from mcp_common.errors import UpstreamError
from mcp_common.http import make_http_client, parse_retry_after
from mcp_common.logging import get_logger
from mcp_common.secrets import SecretStore

from .config import GitHubConfig
from .errors import BACKEND, GitHubError, GitHubRateLimited, error_from_response

__all__ = ["API_VERSION", "DEFAULT_SECRET_PATH", "GitHubClient", "Page", "Record"]

Record = dict[str, Any]
API_VERSION = "2022-11-28"
DEFAULT_SECRET_PATH = "api/github"  # a path in the SecretStore, not a secret
MAX_PER_PAGE = 100
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


class GitHubClient:
    """Calls one GitHub API root with the token found at `secret_path`.

    The pooled HTTP client is re-built only when the base URL or TLS verification change; the
    token is read for every call (the store caches it), so a rotated token is picked up.
    """

    def __init__(
        self,
        secrets: SecretStore,
        *,
        secret_path: str = DEFAULT_SECRET_PATH,
        timeout: float = 15.0,
        retries: int = 3,
        backoff: float = 0.2,
        max_retry_after: float = 30.0,
        metrics: object | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret_path.strip("/"):
            raise ValueError("secret_path must not be empty")
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        if retries < 0 or backoff < 0 or max_retry_after < 0:
            raise ValueError("retries, backoff and max_retry_after must be >= 0")
        self.secrets = secrets
        self.secret_path = secret_path.strip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.metrics = metrics
        self._sleep = sleep
        self._clock = clock
        self._http: httpx.AsyncClient | None = None
        self._http_key: tuple[str, bool] | None = None

    async def config(self) -> GitHubConfig:
        """The current connection settings (the store caches them; rotation is picked up)."""
        return GitHubConfig.from_secret(await self.secrets.get(self.secret_path), self.secret_path)

    async def _client(self, cfg: GitHubConfig) -> httpx.AsyncClient:
        key = (cfg.base_url, cfg.verify_tls)
        if self._http is None or key != self._http_key:
            old = self._http
            self._http = make_http_client(
                BACKEND,
                base_url=cfg.base_url,
                verify=cfg.verify_tls,
                timeout=self.timeout,
                retries=self.retries,
                backoff=self.backoff,
                max_retry_after=self.max_retry_after,
                metrics=self.metrics,
                headers={
                    "Accept": "application/vnd.github+json",
                    "User-Agent": "mcp-github",
                    "X-GitHub-Api-Version": API_VERSION,
                },
            )
            self._http_key = key
            if old is not None:
                await old.aclose()
        return self._http

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
        cfg = await self.config()
        http = await self._client(cfg)
        headers = {"Authorization": f"Bearer {cfg.token}"}
        attempt = 0
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
            if attempt > self.retries or wait is None or wait > self.max_retry_after:
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

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise UpstreamError(
                f"{BACKEND} returned a response that is not JSON",
                backend=BACKEND,
                status=response.status_code,
            ) from None

    async def get(
        self, path: str, *, params: Mapping[str, str | int] | None = None, what: str | None = None
    ) -> Any:
        """`GET path`: the decoded JSON body."""
        return self._json(await self.request("GET", path, params=params, what=what))

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
        body = self._json(response)
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
        return response.status_code, self._json(response)

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None
            self._http_key = None
