"""Who may call the API and how often: the token, primary rate limits and the headers GitHub
sends with every answer. The kit's Gate calls `admit`.
"""

from __future__ import annotations

import hmac
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulator_kit.gate import outside_admin

from .context import Context
from .errors import RATE_DOCS, GitHubError, bad_credentials, error_response

__all__ = ["ResponseHeaders", "admit", "token_of"]


def token_of(authorization: str | None) -> str | None:
    """The token of `Authorization: Bearer <t>` or `Authorization: token <t>`."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip()
    return None


def admit(ctx: Context, scope: Scope) -> Response | None:
    """The token must be the one this GitHub accepts, and the primary rate limit not reached."""
    token = token_of(Headers(scope=scope).get("authorization"))
    if token is None or not hmac.compare_digest(token.encode(), ctx.token.encode()):
        return error_response(bad_credentials())
    bucket = ctx.limits.bucket_for(scope["path"])
    if bucket is not None and not bucket.take(ctx.limits.clock()):
        message = f"API rate limit exceeded for user ID {ctx.data.viewer.id}."
        return error_response(GitHubError(403, message, documentation_url=RATE_DOCS))
    return None


class ResponseHeaders:
    """Adds X-GitHub-* to every API answer, and X-RateLimit-* to every one but a 401.

    It runs before the Gate, so faulted and refused answers carry the headers too.
    """

    def __init__(self, app: ASGIApp, ctx: Context) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not outside_admin(path):
            await self.app(scope, receive, send)
            return
        extra = {
            "X-GitHub-Request-Id": uuid.uuid4().hex[:20].upper(),
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Media-Type": "github.v3; format=json",
        }
        limits = self.ctx.limits
        bucket = limits.bucket_for(path)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers[name] = value
                if bucket is not None and message["status"] != 401:
                    for name, value in bucket.headers(limits.clock()).items():
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
