"""ServiceNow-shaped error responses: `{"error": {"message", "detail"}, "status": "failure"}`."""

from __future__ import annotations

from simulator_kit import SimulatorError

__all__ = ["SNError", "acl_denied", "bad_request", "not_authenticated", "not_found"]


class SNError(SimulatorError):
    """An error the simulator answers with the real instance's JSON error envelope."""

    def body(self) -> dict[str, object]:
        """The JSON body the real instance sends for this error."""
        return {"error": {"message": self.message, "detail": self.detail}, "status": "failure"}


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
