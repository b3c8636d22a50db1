"""The console's ASGI app: routes, sessions, security headers; `main()` serves it."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mcp_common.auth import TokenExchanger
from mcp_common.client import McpClient

from .audit import LogFeed
from .csrf import token_of
from .gateway import Gateway
from .pages import Pages
from .people import SignInRequired
from .sessions import SessionMiddleware, SessionStore
from .settings import ConsoleSettings
from .signin import Identity
from .status import StatusBoard

__all__ = ["SECURITY_HEADERS", "create_app", "main"]

_HERE = Path(__file__).parent
# Scripts and styles from the console itself only: no inline script, no CDN.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class _SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app, self.hsts = app, hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if static and name == "Cache-Control":
                        value = "public, max-age=3600"
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(_HERE / "templates"))
    templates.env.globals["csrf_token"] = token_of
    templates.env.filters["tojson_pretty"] = _pretty
    return templates


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def create_app(
    settings: ConsoleSettings,
    *,
    gateway: Gateway | None = None,
    board: StatusBoard | None = None,
    store: SessionStore | None = None,
) -> Starlette:
    """Build the console; `gateway`, `board` and `store` may be given (tests)."""
    store = store or SessionStore(
        idle_seconds=settings.session_idle_seconds,
        max_seconds=settings.session_max_seconds,
        max_sessions=settings.max_sessions,
    )
    if gateway is None:
        clients = {
            name: McpClient(name, url, timeout=settings.mcp_timeout_seconds)
            for name, url in settings.server_urls().items()
        }
        exchanger = TokenExchanger(
            str(settings.oidc_internal_issuer or settings.issuer).rstrip("/"),
            settings.oidc_client_id,
            settings.oidc_client_secret.get_secret_value(),
        )
        resources = {name: settings.resource_of(name) for name in clients}
        gateway = Gateway(clients, resources, exchanger)
    board = board or StatusBoard(settings.status_urls())
    identity = Identity(settings, store)
    templates = _templates()
    feed = LogFeed(settings.audit_log_dir)
    pages = Pages(settings, identity, gateway, board, feed, templates)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "alive", "service": settings.service_name})

    async def readyz(_: Request) -> Response:
        return JSONResponse({"status": "ready", "servers": list(gateway.servers)})

    async def sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        target = f"/auth/login?next={quote(exc.next_path, safe='')}"
        if request.headers.get("hx-request") == "true":
            # htmx: the whole page goes to sign-in, and comes back to the page shown.
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        context = {"status": exc.status_code, "message": exc.detail}
        return pages.render(request, "error.html", context, exc.status_code)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await gateway.aclose()
        await board.aclose()

    routes = [
        Route("/", pages.home),
        Route("/signed-out", pages.signed_out),
        Route("/auth/login", identity.login),
        Route("/auth/callback", identity.callback),
        Route("/auth/logout", _logout(identity, settings), methods=["POST"]),
        Route("/tools", pages.tools),
        Route("/tools/{server}/{tool}", pages.tool),
        Route("/tools/{server}/{tool}", pages.call, methods=["POST"]),
        Route("/deployments", pages.deployments),
        Route("/deployments", pages.start, methods=["POST"]),
        Route("/deployments/preview", pages.preview, methods=["POST"]),
        Route("/deployments/{workflow_id}", pages.deployment),
        Route("/deployments/{workflow_id}/panel", pages.deployment_panel),
        Route("/deployments/{workflow_id}/cancel", pages.cancel, methods=["POST"]),
        Route("/status", pages.status),
        Route("/status/panel", pages.status_panel),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(_SecurityHeaders, hsts=settings.secure_cookies),
            Middleware(SessionMiddleware, store=store, secure=settings.secure_cookies),
        ],
        exception_handlers={SignInRequired: sign_in_required, HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.templates = templates
    app.state.store = store
    return app


def _logout(identity: Identity, settings: ConsoleSettings) -> Any:
    from .csrf import checked_form

    async def logout(request: Request) -> Response:
        if identity.person(request) is not None:
            await checked_form(request, settings.base_url)
        return await identity.logout(request)

    return logout


def main() -> None:
    """`python -m mcp_console`: settings from the environment, served until interrupted."""
    from pydantic import ValidationError

    from mcp_common import configure_logging
    from mcp_common.server import run_listener
    from mcp_common.settings import describe_validation_error

    try:
        settings = ConsoleSettings()  # type: ignore[call-arg]  # from the environment
    except ValidationError as exc:
        print(f"configuration error: {describe_validation_error(exc, 'MCP_')}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(settings.service_name, settings.log_level)
    run_listener(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,  # query strings (the OAuth callback's code) stay out of logs
        timeout_graceful_shutdown=5,
        header_timeout=10.0,
        body_timeout=30.0,
    )
