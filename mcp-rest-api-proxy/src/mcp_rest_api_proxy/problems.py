"""RFC 9457 problem details: the one error shape of the proxy, and the mapping to it."""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mcp_common.client import McpCallError
from mcp_common.errors import AuthorizationDenied, PlatformError

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "ProblemDetails",
    "ProxyProblem",
    "denied",
    "from_mcp_error",
    "http_exception_handler",
    "problem_response",
    "validation_exception_handler",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TYPE = "urn:mcp-platform:problem:"

# McpCallError.kind -> (HTTP status for the REST caller, problem type)
_KIND_STATUS: dict[str, tuple[int, str]] = {
    "denied": (403, "forbidden"),
    "unknown_tool": (404, "unknown-tool"),
    "invalid_arguments": (422, "invalid-arguments"),
    "invalid_input": (422, "invalid-input"),
    "rate_limited": (429, "rate-limited"),
    "too_large": (413, "too-large"),
    "unauthorized": (401, "unauthorized"),
    "tool_error": (502, "tool-failed"),
    "upstream_error": (502, "upstream-failed"),
    "forbidden": (502, "upstream-refused"),
    "endpoint_not_found": (502, "upstream-misconfigured"),
    "protocol": (502, "upstream-protocol"),
    "unavailable": (503, "server-unavailable"),
    "backend_unavailable": (503, "backend-unavailable"),
    "timeout": (504, "server-timeout"),
}


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, plus the request id and a few typed extension members."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="URI identifying the kind of problem")
    title: str = Field(description="Short summary of the kind of problem")
    status: int = Field(description="HTTP status code")
    detail: str = Field(description="What went wrong, for this request")
    instance: str | None = Field(None, description="The request path")
    request_id: str = Field(description="Quote it to the platform team (X-Request-ID)")


class ProxyProblem(PlatformError):
    """An error that becomes one problem+json response; its detail is safe to show."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        if not 400 <= status <= 599:
            raise ValueError(f"problem status must be 4xx or 5xx, got {status}")
        self.status = status
        self.kind = kind
        self.detail = detail
        self.headers = headers or {}
        self.extensions = {k: v for k, v in extensions.items() if v is not None}
        super().__init__(detail)


def problem_response(request: Request, problem: ProxyProblem) -> Response:
    """Render a problem for `request` (request id from the request's state)."""
    body: dict[str, Any] = {
        "type": _TYPE + problem.kind,
        "title": HTTPStatus(problem.status).phrase,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path,
        "request_id": getattr(request.state, "request_id", ""),
        **problem.extensions,
    }
    return JSONResponse(
        body, status_code=problem.status, headers=problem.headers, media_type=PROBLEM_MEDIA_TYPE
    )


def denied(exc: AuthorizationDenied) -> ProxyProblem:
    """403 naming the refused action and resource."""
    return ProxyProblem(403, "forbidden", str(exc), action=exc.action, resource=exc.resource)


def from_mcp_error(exc: McpCallError, *, tool: str | None = None) -> ProxyProblem:
    """Map an MCP call failure to the caller's status (429/503 keep their Retry-After)."""
    status, kind = _KIND_STATUS.get(exc.kind, (502, "upstream-failed"))
    headers: dict[str, str] = {}
    if exc.retry_after is not None and status in (429, 503):
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    detail = str(exc)
    if status == 502 and exc.kind != "tool_error":
        detail = f"MCP server '{exc.server}': {detail}"
    return ProxyProblem(
        status,
        kind,
        detail,
        headers=headers,
        server=exc.server,
        tool=tool,
        action=exc.action,
        resource=exc.resource,
        retry_after=exc.retry_after,
    )


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette/FastAPI HTTP errors (unknown route, wrong method) as problems."""
    assert isinstance(exc, HTTPException)
    kinds = {404: "not-found", 405: "method-not-allowed"}
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    status = exc.status_code if exc.status_code >= 400 else 400
    problem = ProxyProblem(status, kinds.get(status, "http-error"), detail)
    response = problem_response(request, problem)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def validation_exception_handler(request: Request, exc: Exception) -> Response:
    """A request body or parameter FastAPI could not accept: 422 with each error's place."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"path": ".".join(str(p) for p in err.get("loc", ())), "message": str(err.get("msg"))}
        for err in exc.errors()[:10]
    ]
    detail = "; ".join(f"{e['path']}: {e['message']}" for e in errors) or "invalid request"
    problem = ProxyProblem(422, "invalid-request", detail[:1000], errors=errors)
    return problem_response(request, problem)
