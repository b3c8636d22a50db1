"""Assemble a simulator: its API routes behind the Gate, plus the `/sandbox` test controls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from .admin import Controls, admin_routes
from .dialect import ErrorDialect, exception_handlers
from .gate import Admit, Gate, outside_admin

__all__ = ["simulator_app"]


def simulator_app(
    routes: Sequence[BaseRoute],
    *,
    controls: Controls,
    errors: ErrorDialect[Any],
    admin: bool = True,
    admin_extra: Sequence[BaseRoute] = (),
    admit: Admit | None = None,
    covers: Callable[[str], bool] = outside_admin,
    outer: Sequence[Middleware] = (),
) -> Starlette:
    """A Starlette app: `routes` behind the Gate; with `admin`, the `/sandbox` controls too.

    `errors` is how the API renders every error: its own, unknown routes and methods,
    unexpected exceptions, injected faults and bad control requests. `admin_extra` are the
    simulator's own `/sandbox` routes; `outer` middleware runs before the Gate (it sees
    every answer, faulted or refused ones included).
    """
    all_routes = list(routes)
    if admin:
        all_routes += [*admin_routes(controls), *admin_extra]
    gate = Middleware(
        Gate,
        faults=controls.faults,
        stats=controls.stats,
        fault_response=errors.fault,
        admit=admit,
        covers=covers,
    )
    return Starlette(
        routes=all_routes,
        middleware=[*outer, gate],
        exception_handlers=exception_handlers(errors),
    )
