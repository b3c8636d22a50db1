"""The `/sandbox` test controls every simulator serves: faults, stats, reset, token expiry.

They stand for the people and operators around a backend, so they take no credentials;
they exist only when a simulator is built with `admin=True`. A simulator describes itself
once (`Controls`) and may add routes of its own beside these.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import SimulatorError
from .faults import Fault, FaultError, Faults
from .stats import RequestStats

__all__ = [
    "ControlError",
    "Controls",
    "admin_routes",
    "control_body",
    "control_count",
]


class ControlError(SimulatorError):
    """A bad test-control request; answered in the simulator's ErrorDialect."""

    def __init__(self, message: str, detail: str = "", *, status: int = 400) -> None:
        super().__init__(status, message, detail)


@dataclass(frozen=True, slots=True)
class Controls:
    """What one simulator exposes to the shared `/sandbox` routes.

    `stats_view` is the body of `GET /sandbox/stats` (default: counts per `METHOD /path`,
    filtered by the `method` and `path_prefix` query parameters); `expire_tokens` adds
    `POST /sandbox/tokens/expire`; `clear_faults` and `faults_view` cover faults of the
    simulator's own (e.g. tasks that fail) beside the request faults.
    """

    faults: Faults
    stats: RequestStats
    reset: Callable[[], None]
    stats_view: Callable[[Request], Mapping[str, Any]] | None = None
    expire_tokens: Callable[[], int] | None = None
    clear_faults: Callable[[], None] | None = None
    faults_view: Callable[[], Mapping[str, Any]] | None = None


async def control_body(request: Request) -> dict[str, Any]:
    """The JSON object body of a control request; `{}` when the body is empty."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:  # UnicodeDecodeError included
        raise ControlError("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ControlError("Request body must be a JSON object")
    return body


def control_count(body: Mapping[str, Any]) -> int:
    """The optional `count` of a control request (default 1)."""
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ControlError("'count' must be an integer >= 1")
    return count


def admin_routes(controls: Controls) -> list[Route]:
    """The shared `/sandbox` routes of one simulator."""

    async def health(request: Request) -> Response:
        """GET /sandbox/health."""
        return JSONResponse({"status": "ok"})

    async def add_fault(request: Request) -> Response:
        """POST /sandbox/faults {path_prefix, status?, count?, retry_after?, delay?, method?}."""
        try:
            fault = Fault.from_json(await control_body(request))
        except FaultError as exc:
            raise ControlError("Invalid fault", str(exc)) from None
        pending = controls.faults.add(fault)
        return JSONResponse({"fault": fault.as_dict(), "faults": pending}, 201)

    async def list_faults(request: Request) -> Response:
        """GET /sandbox/faults: the armed faults (and the simulator's own)."""
        extra = controls.faults_view() if controls.faults_view is not None else {}
        return JSONResponse({"faults": controls.faults.pending(), **extra})

    async def clear_faults(request: Request) -> Response:
        """POST /sandbox/faults/clear: disarm every fault."""
        if controls.clear_faults is not None:
            controls.clear_faults()
        return JSONResponse({"cleared": controls.faults.clear()})

    async def stats(request: Request) -> Response:
        """GET /sandbox/stats: what the simulator counted."""
        if controls.stats_view is not None:
            return JSONResponse(dict(controls.stats_view(request)))
        method = request.query_params.get("method")
        prefix = request.query_params.get("path_prefix", "")
        return JSONResponse(controls.stats.snapshot(method, prefix))

    async def clear_stats(request: Request) -> Response:
        """POST /sandbox/stats/clear: request counters back to zero."""
        controls.stats.clear()
        return JSONResponse({"cleared": True})

    async def reset(request: Request) -> Response:
        """POST /sandbox/reset: back to the initial state (data, tokens, faults, counters)."""
        controls.reset()
        return JSONResponse({"reset": True})

    routes = [
        Route("/sandbox/health", health, methods=["GET"]),
        Route("/sandbox/faults", add_fault, methods=["POST"]),
        Route("/sandbox/faults", list_faults, methods=["GET"]),
        Route("/sandbox/faults/clear", clear_faults, methods=["POST"]),
        Route("/sandbox/stats", stats, methods=["GET"]),
        Route("/sandbox/stats/clear", clear_stats, methods=["POST"]),
        Route("/sandbox/reset", reset, methods=["POST"]),
    ]
    if controls.expire_tokens is not None:
        expire = controls.expire_tokens

        async def expire_tokens(request: Request) -> Response:
            """POST /sandbox/tokens/expire: every issued token is invalid from now on."""
            return JSONResponse({"expired": expire()})

        routes.append(Route("/sandbox/tokens/expire", expire_tokens, methods=["POST"]))
    return routes
