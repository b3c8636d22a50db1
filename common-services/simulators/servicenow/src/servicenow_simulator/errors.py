"""ServiceNow-shaped error responses: `{"error": {"message", "detail"}, "status": "failure"}`."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulator_kit import ErrorDialect, Fault, SimulatorError

__all__ = [
    "SNError",
    "ServiceNowErrors",
    "acl_denied",
    "bad_request",
    "not_authenticated",
    "not_found",
]


class SNError(SimulatorError):
    """An error the simulator answers with the real instance's JSON error envelope."""

    def body(self) -> dict[str, object]:
        """The JSON body the real instance sends for this error."""
        return {"error": {"message": self.message, "detail": self.detail}, "status": "failure"}


class ServiceNowErrors(ErrorDialect[SNError]):
    """Every error as an SNError in the instance's JSON envelope, with the real texts."""

    error_type = SNError

    def api_error(self, error: SNError) -> Response:
        return JSONResponse(error.body(), status_code=error.status, headers=error.headers or None)

    def http_error(self, request: Request, error: HTTPException) -> Response:
        """The instance answers 400 for a URI it has no resource for."""
        if error.status_code == 404:
            return self.api_error(SNError(400, "Requested URI does not represent any resource"))
        if error.status_code == 405:
            return self.api_error(SNError(405, "Method not Supported", str(request.method)))
        return self.api_error(SNError(error.status_code, str(error.detail)))

    def unexpected(self) -> Response:
        return self.api_error(SNError(500, "Internal Server Error"))

    def fault(self, fault: Fault, path: str) -> Response:
        status = fault.status or 500
        detail = "Rate limit exceeded" if status == 429 else "Injected by the sandbox"
        # The real instance always says when to retry a 429.
        headers = fault.headers() or ({"Retry-After": "1"} if status == 429 else {})
        return self.api_error(SNError(status, fault.phrase(), detail, headers=headers))

    def control_error(self, status: int, message: str, detail: str) -> Response:
        return self.api_error(SNError(status, message, detail or None))


def not_found() -> SNError:
    """404 for an unknown sys_id (the real text, which also covers ACL-hidden records)."""
    return SNError(
        404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval"
    )


def not_authenticated() -> SNError:
    """401 for missing, wrong or expired credentials."""
    return SNError(
        401,
        "User Not Authenticated",
        "Required to provide Auth information",
        headers={"WWW-Authenticate": 'BASIC realm="Service-now"'},
    )


def acl_denied(operation: str) -> SNError:
    """403 when an ACL forbids the operation (Insert, Update, Delete) on a record."""
    return SNError(
        403, "Operation Failed", f"ACL Exception {operation} Failed due to security constraints"
    )


def bad_request(message: str, detail: str | None = None) -> SNError:
    """400 for an invalid request or a rejected field value."""
    return SNError(400, message, detail)
