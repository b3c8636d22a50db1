"""ASGI middleware in front of a simulator's API: stats, injected faults, then admission.

Every simulator puts the same Gate in front of its routes. The Gate counts each request it
covers, serves the first matching injected fault (delay, then the simulator's own error
answer), and finally asks the simulator whether to admit the request (its token check);
the `/sandbox` test controls are never counted, faulted or checked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .faults import Fault, Faults
from .stats import RequestStats

__all__ = ["ADMIN_PREFIX", "Admit", "FaultResponder", "Gate", "outside_admin"]

ADMIN_PREFIX = "/sandbox"

FaultResponder = Callable[[Fault, str], Response]
"""The simulator's answer to a faulted request: `(fault, path) -> Response`."""
Admit = Callable[[Scope], Response | None]
"""The simulator's admission check (its token): None lets the request through."""


def outside_admin(path: str) -> bool:
    """The default coverage: every path but the `/sandbox` test controls."""
    return not path.startswith(ADMIN_PREFIX)


@dataclass(frozen=True, slots=True)
class Gate:
    """Counts requests, serves injected faults, then lets the simulator admit the request."""

    app: ASGIApp
    _: KW_ONLY
    faults: Faults
    stats: RequestStats
    fault_response: FaultResponder
    admit: Admit | None = None
    covers: Callable[[str], bool] = outside_admin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count, fault, admit: in that order, for the paths the Gate covers."""
        if scope["type"] != "http" or not self.covers(scope["path"]):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        self.stats.record(method, path)
        fault = self.faults.take(method, path)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                await self.fault_response(fault, path)(scope, receive, send)
                return
        refused = self.admit(scope) if self.admit is not None else None
        if refused is not None:
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)
