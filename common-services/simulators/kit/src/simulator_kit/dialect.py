"""How one backend's API renders its errors: the error dialect a simulator implements once.

Every answer a simulator gives when something goes wrong is in its backend's own JSON
dialect: an error its handlers raise, an unknown route or method, an unexpected exception,
an injected fault and a bad `/sandbox` control request. `simulator_app` takes the dialect
and wires it in: Starlette's exception handlers here, the fault answer into the Gate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .admin import ControlError
from .errors import SimulatorError
from .faults import Fault

__all__ = ["ErrorDialect", "ExceptionHandler", "exception_handlers"]

E = TypeVar("E", bound=SimulatorError)

ExceptionHandler = Callable[[Request, Exception], Any]


class ErrorDialect(Protocol[E]):
    """How one API answers every error; `E` is the error class its handlers raise."""

    error_type: type[E]
    """The API's own error class (a SimulatorError), rendered by `api_error`."""

    def api_error(self, error: E) -> Response:
        """An error the API's handlers raised."""

    def http_error(self, request: Request, error: HTTPException) -> Response:
        """Starlette's HTTPException: no route for the path (404) or for the method (405)."""

    def unexpected(self) -> Response:
        """Any other exception: a 500 that cannot carry the exception (uvicorn logs it)."""

    def fault(self, fault: Fault, path: str) -> Response:
        """The answer of an injected fault to a request for `path`."""

    def control_error(self, status: int, message: str, detail: str) -> Response:
        """A bad `/sandbox` control request (a ControlError)."""


def exception_handlers(errors: ErrorDialect[E]) -> dict[Any, ExceptionHandler]:
    """Starlette's exception handlers answering in `errors`' dialect."""

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, errors.error_type)
        return errors.api_error(exc)

    async def control_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ControlError)
        return errors.control_error(exc.status, exc.message, exc.detail or "")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return errors.http_error(request, exc)

    async def unexpected(request: Request, exc: Exception) -> Response:
        # The exception never reaches the body (no stack trace); uvicorn logs it.
        return errors.unexpected()

    return {
        errors.error_type: api_error,
        ControlError: control_error,
        HTTPException: http_error,
        Exception: unexpected,
    }
