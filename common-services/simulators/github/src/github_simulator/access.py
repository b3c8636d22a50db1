"""ASGI middleware in front of the API: stats, injected faults, token check, rate limits."""

from __future__ import annotations

import asyncio
import hmac
import uuid
from http import HTTPStatus

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mcp_sandbox.servicenow.faults import Fault

from .context import Context
from .errors import GitHubError, bad_credentials, error_response

__all__ = ["Gate", "token_of"]

_ADMIN_PREFIX = "/sandbox"
RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID."
)


def token_of(authorization: str | None) -> str | None:
    """The token of `Authorization: Bearer <t>` or `Authorization: token <t>`."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip()
    return None


def _fault_error(fault: Fault) -> GitHubError:
    """403/429 faults are secondary rate limits (Retry-After when set); others plain errors."""
    status = fault.status or 500
    headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
    if status in (403, 429):
        return GitHubError(
            status,
            SECONDARY,
            headers=headers,
            documentation_url=f"{RATE_DOCS}#about-secondary-rate-limits",
        )
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    message = "Server Error" if status == 500 else phrase
    return GitHubError(status, message, headers=headers)


class Gate:
    """Counts requests, serves injected faults, requires the token and applies rate limits."""

    def __init__(self, app: ASGIApp, ctx: Context) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(_ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        ctx = self.ctx
        method: str = scope["method"]
        ctx.stats.record(method, path)
        extra = {
            "X-GitHub-Request-Id": uuid.uuid4().hex[:20].upper(),
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Media-Type": "github.v3; format=json",
        }
        fault = ctx.faults.take(method, path)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        error: GitHubError | None = None
        if fault is not None and fault.status is not None:
            error = _fault_error(fault)
        else:
            token = token_of(Headers(scope=scope).get("authorization"))
            valid = token is not None and hmac.compare_digest(token.encode(), ctx.token.encode())
            if not valid:
                error = bad_credentials()
        bucket = ctx.limits.bucket_for(path)
        now = ctx.limits.clock()
        if error is None and bucket is not None and not bucket.take(now):
            user_id = ctx.data.viewer.id
            error = GitHubError(
                403, f"API rate limit exceeded for user ID {user_id}.", documentation_url=RATE_DOCS
            )
        if bucket is not None and (error is None or error.status != 401):
            extra.update(bucket.headers(now))
        if error is not None:
            response = error_response(error)
            response.headers.update(extra)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
