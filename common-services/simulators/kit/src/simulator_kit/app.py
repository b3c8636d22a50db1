"""Assemble a simulator: its API routes behind the Gate, plus the `/sandbox` test controls."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from .admin import ControlError, Controls, admin_routes
from .gate import Admit, FaultResponder, Gate, outside_admin

__all__ = ["ExceptionHandler", "simulator_app"]

ExceptionHandler = Callable[[Request, Exception], Any]


def simulator_app(
    routes: Sequence[BaseRoute],
    *,
    controls: Controls,
    fault_response: FaultResponder,
    exception_handlers: Mapping[Any, ExceptionHandler],
    admin: bool = True,
    admin_extra: Sequence[BaseRoute] = (),
    admit: Admit | None = None,
    covers: Callable[[str], bool] = outside_admin,
    outer: Sequence[Middleware] = (),
) -> Starlette:
    """A Starlette app: `routes` behind the Gate; with `admin`, the `/sandbox` controls too.

    `admin_extra` are the simulator's own `/sandbox` routes; `outer` middleware runs before
    the Gate (it sees every answer, faulted or refused ones included). A ControlError
    raised by any route is answered in the simulator's envelope (`controls.error`).
    """
    all_routes = list(routes)
    if admin:
        all_routes += [*admin_routes(controls), *admin_extra]

    async def control_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ControlError)
        return controls.error(exc.status, exc.message, exc.detail or "")

    gate = Middleware(
        Gate,
        faults=controls.faults,
        stats=controls.stats,
        fault_response=fault_response,
        admit=admit,
        covers=covers,
    )
    return Starlette(
        routes=all_routes,
        middleware=[*outer, gate],
        exception_handlers={ControlError: control_error, **exception_handlers},
    )
