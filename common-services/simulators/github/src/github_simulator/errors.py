"""GitHub-shaped error responses: `{"message", "errors"?, "documentation_url", "status"}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulator_kit import ErrorDialect, Fault, SimulatorError

__all__ = [
    "DOCS",
    "RATE_DOCS",
    "GitHubError",
    "GitHubErrors",
    "bad_credentials",
    "error_response",
    "field_error",
    "invalid_request",
    "missing_param",
    "not_found",
    "validation_failed",
]

DOCS = "https://docs.github.com/rest"
RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID."
)


class GitHubError(SimulatorError):
    """An error the simulator answers with GitHub's JSON error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        documentation_url: str = DOCS,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status, message, headers=headers)
        self.errors = errors
        self.documentation_url = documentation_url

    def body(self) -> dict[str, Any]:
        """The JSON body GitHub sends for this error."""
        body: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        body["documentation_url"] = self.documentation_url
        body["status"] = str(self.status)
        return body


def error_response(error: GitHubError) -> JSONResponse:
    """The JSON response of a GitHubError."""
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers or None)


class GitHubErrors(ErrorDialect[GitHubError]):
    """Every error in GitHub's JSON error body (`error_response`)."""

    error_type = GitHubError

    def api_error(self, error: GitHubError) -> Response:
        return error_response(error)

    def http_error(self, request: Request, error: HTTPException) -> Response:
        """404 for unknown routes and for methods a route does not take, as GitHub answers."""
        return error_response(not_found())

    def unexpected(self) -> Response:
        return error_response(GitHubError(500, "Server Error"))

    def fault(self, fault: Fault, path: str) -> Response:
        """403/429 faults are secondary rate limits (Retry-After when set); others plain errors."""
        status = fault.status or 500
        headers = fault.headers()
        if status in (403, 429):
            docs = f"{RATE_DOCS}#about-secondary-rate-limits"
            error = GitHubError(status, SECONDARY, headers=headers, documentation_url=docs)
            return error_response(error)
        message = "Server Error" if status == 500 else fault.phrase()
        return error_response(GitHubError(status, message, headers=headers))

    def control_error(self, status: int, message: str, detail: str) -> Response:
        return error_response(GitHubError(status, f"{message}: {detail}" if detail else message))


def not_found(documentation_url: str = DOCS) -> GitHubError:
    """404: GitHub says the same for 'absent' and 'not visible to this token'."""
    return GitHubError(404, "Not Found", documentation_url=documentation_url)


def bad_credentials() -> GitHubError:
    """401 for a missing, malformed or unknown token."""
    return GitHubError(401, "Bad credentials")


def field_error(resource: str, field: str, code: str, **extra: Any) -> dict[str, Any]:
    """One entry of a 422 `errors` list (codes: missing, missing_field, invalid, ...)."""
    return {"resource": resource, "field": field, "code": code, **extra}


def validation_failed(*errors: dict[str, Any], documentation_url: str = DOCS) -> GitHubError:
    """422 `Validation Failed` with its errors list."""
    return GitHubError(
        422, "Validation Failed", errors=list(errors), documentation_url=documentation_url
    )


def invalid_request(detail: str) -> GitHubError:
    """422 for a request that fails the endpoint's JSON schema."""
    return GitHubError(422, f"Invalid request.\n\n{detail}")


def missing_param(name: str) -> GitHubError:
    """422 for a required body parameter that was not given."""
    return invalid_request(f'"{name}" wasn\'t supplied.')
