"""ASGI middleware in front of every API route: stats, injected faults, then X-Auth-Token."""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .responses import api_error, auth_error
from .state import CatalystCenterState

__all__ = ["AUTH_PATH", "Gate"]

AUTH_PATH = "/dna/system/api/v1/auth/token"
_ADMIN_PREFIX = "/sandbox"


class Gate:
    """Counts requests, serves injected faults, and requires a live token on `/dna/...`."""

    def __init__(self, app: ASGIApp, state: CatalystCenterState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        self.state.record(method, path)
        fault = self.state.take_fault(method, path)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                response = api_error(
                    fault.status,
                    "Injected fault" if fault.status != 429 else "Rate limit exceeded",
                    f"Simulated HTTP {fault.status} for {path}",
                    headers=fault.headers(),
                )
                await response(scope, receive, send)
                return
        if path.startswith("/dna/") and path != AUTH_PATH:
            token = Headers(scope=scope).get("x-auth-token")
            if not self.state.token_valid(token):
                message = "Token is missing, invalid or expired" if token else "Missing token"
                await auth_error(message)(scope, receive, send)
                return
        await self.app(scope, receive, send)
