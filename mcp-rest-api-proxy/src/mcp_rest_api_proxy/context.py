"""Per-request context: X-Request-ID in and out, one log line per request, no stack trace out."""

from __future__ import annotations

import time
import uuid

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mcp_common.observability import get_logger, log_context

from .problems import ProxyProblem, problem_response

__all__ = ["RequestContextMiddleware", "accept_request_id"]

_log = get_logger("mcp.rest_proxy")
_HEADER = b"x-request-id"
_BUG_DETAIL = "internal error; quote the request id to the platform team"


def accept_request_id(supplied: str | None) -> str:
    """The caller's id when short and plain (it lands in logs), else a fresh one."""
    if supplied and len(supplied) <= 128 and supplied.replace("-", "").isalnum():
        return supplied
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Outermost: request id, log context, access log; a bug becomes a bare problem 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = None
        for name, value in scope.get("headers", ()):
            if name == _HEADER:
                supplied = value.decode("latin-1")
                break
        request_id = accept_request_id(supplied)
        scope.setdefault("state", {})["request_id"] = request_id
        start = time.perf_counter()
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", ()) if k != _HEADER]
                headers.append((_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with log_context(**{"trace.id": request_id}):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as exc:
                _log.error(
                    "unexpected error",
                    extra={"event.action": "rest.request", "error.type": type(exc).__name__},
                )
                if not started:
                    bug = ProxyProblem(500, "internal-error", _BUG_DETAIL)
                    await problem_response(Request(scope), bug)(scope, receive, send_with_id)
            finally:
                state = scope.get("state", {})
                seconds = time.perf_counter() - start
                _log.info(
                    "REST request",
                    extra={
                        "event.action": "rest.request",
                        "event.outcome": "success" if status < 400 else "failure",
                        "event.duration": int(seconds * 1e9),
                        "http.request.method": scope.get("method"),
                        "url.path": str(scope.get("path", ""))[:256],
                        "http.response.status_code": status,
                        "user.id": state.get("user_id"),
                        "mcp.server": state.get("mcp_server"),
                        "mcp.tool": state.get("mcp_tool"),
                    },
                )
