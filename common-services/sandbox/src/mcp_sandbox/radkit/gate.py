"""ASGI middleware before every `/api/` route: stats, injected faults, then the bearer token."""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .responses import error_response
from .state import RadkitState

__all__ = ["LOGIN_PATH", "Gate"]

LOGIN_PATH = "/api/login"


class Gate:
    """Counts requests, serves injected faults, and requires a live token on `/api/...`."""

    def __init__(self, app: ASGIApp, state: RadkitState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        self.state.record(path)
        fault = self.state.take_fault(method, path)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                message = f"simulated HTTP {fault.status} for {path}"
                response = error_response(fault.status, message, headers=fault.headers())
                await response(scope, receive, send)
                return
        if path != LOGIN_PATH:
            header = Headers(scope=scope).get("authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not self.state.token_valid(token.strip()):
                message = "session token is missing, invalid or expired: log in again"
                await error_response(401, message, headers={"WWW-Authenticate": "Bearer"})(
                    scope, receive, send
                )
                return
        await self.app(scope, receive, send)
