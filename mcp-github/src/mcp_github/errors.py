"""Errors of the GitHub server: GitHub's refusals, rate limits and inputs refused locally."""

from __future__ import annotations

import math
import re
from typing import Any

import httpx

from mcp_common.errors import InvalidInput, PlatformError, UpstreamError
from mcp_common.observability import redact_text

__all__ = [
    "BACKEND",
    "ContentRefused",
    "GitHubConflict",
    "GitHubError",
    "GitHubNotFound",
    "GitHubRateLimited",
    "GitHubValidationError",
    "InvalidArgument",
    "NotText",
    "clean",
    "error_from_response",
]

BACKEND = "github"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_MAX_TEXT = 300
_CODES = {
    "missing_field": "is required",
    "invalid": "is invalid",
    "missing": "does not exist",
    "already_exists": "already exists",
    "unprocessable": "cannot be processed",
}


def clean(text: str | None, limit: int = _MAX_TEXT) -> str:
    """One line, no control characters, no credential-looking content, bounded length."""
    if not text:
        return ""
    flat = redact_text(" ".join(_CONTROL.sub(" ", text).split()))
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class InvalidArgument(InvalidInput, ValueError):
    """A tool argument was refused before any call to GitHub."""


class ContentRefused(InvalidArgument):
    """Content looks like it carries a secret; nothing was sent to GitHub."""


class NotText(PlatformError):
    """A file read from GitHub is binary or too large to return as text."""


class GitHubError(PlatformError):
    """GitHub refused a request (4xx); the message is GitHub's own, made safe."""

    def __init__(self, status: int, message: str, details: list[str] | None = None) -> None:
        self.status = status
        self.message = clean(message) or "Request refused"
        self.details = [clean(d, 160) for d in details or [] if d]
        text = f"GitHub answered HTTP {status}: {self.message}"
        if self.details:
            text += f" ({'; '.join(self.details)})"
        super().__init__(text)


class GitHubNotFound(GitHubError):
    """404: absent, or not visible to the platform's token (GitHub does not say which)."""

    def __init__(self, what: str | None = None) -> None:
        super().__init__(404, "Not Found")
        if what:
            self.args = (f"{what} was not found on GitHub (or the platform's token cannot see it)",)


class GitHubConflict(GitHubError):
    """409: the resource changed since it was read (a stale sha), or a protected branch."""


class GitHubValidationError(GitHubError):
    """422: GitHub's validation refused the request; `details` lists what was wrong."""


class GitHubRateLimited(UpstreamError):
    """A primary or secondary rate limit, still in force after the retries allowed."""

    def __init__(self, kind: str | None, wait: float | None, status: int) -> None:
        when = f"; retry in {max(1, math.ceil(wait))} s" if wait is not None else ""
        which = f"{kind} rate limit" if kind else "rate limit"
        message = f"GitHub {which} exceeded (HTTP {status}){when}"
        super().__init__(message, backend=BACKEND, status=status, retry_after=wait, kind="http")


def _detail(error: Any) -> str:
    if isinstance(error, str):
        return error
    if not isinstance(error, dict):
        return ""
    if isinstance(error.get("message"), str):
        return str(error["message"])
    field = error.get("field") or error.get("resource") or "request"
    code = str(error.get("code", "invalid"))
    value = f" ({str(error['value'])[:60]!r})" if error.get("value") not in (None, "") else ""
    return f"{field}{value} {_CODES.get(code, code)}"


def error_from_response(response: httpx.Response, what: str | None = None) -> GitHubError:
    """The GitHubError for a 4xx answer: its message and, for 422, each error's detail."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    status = response.status_code
    message = str(body.get("message") or httpx.codes.get_reason_phrase(status) or "Refused")
    raw = body.get("errors")
    details = [_detail(e) for e in raw] if isinstance(raw, list) else []
    if status == 404:
        return GitHubNotFound(what)
    cls = {409: GitHubConflict, 422: GitHubValidationError}.get(status, GitHubError)
    return cls(status, message, details)
