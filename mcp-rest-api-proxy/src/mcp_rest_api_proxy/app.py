"""`create_app`: the FastAPI proxy with its components, docs, probes and metrics; `main()`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from mcp_common.auth import TokenVerifier
from mcp_common.observability import (
    CONTENT_TYPE_LATEST,
    PlatformMetrics,
    configure_logging,
    get_logger,
    log_context,
)
from mcp_common.policy import Authorizer, CachingAuthorizer
from mcp_common.server import (
    AdmissionMiddleware,
    BodyLimitMiddleware,
    RequestGuardMiddleware,
    build_authorizer,
    build_verifier,
    prepare_metrics_dir,
    run_listener,
    tune_gc,
)
from mcp_common.settings import load_settings

from .context import RequestContextMiddleware
from .openapi import build_document
from .problems import (
    ProxyProblem,
    http_exception_handler,
    problem_response,
    validation_exception_handler,
)
from .registry import ServerRegistry
from .routes import ToolCallRequest, build_router
from .security import Gatekeeper
from .service import ProxyService
from .settings import ProxySettings

__all__ = ["create_app", "create_app_from_env", "main"]

_log = get_logger("mcp.rest_proxy")
_DESCRIPTION = (
    "Every platform tool as plain REST, with the caller's own identity: the bearer token is "
    "verified here, checked against the policy's `rest-api-proxy` resource, and exchanged "
    "(RFC 8693) for a token meant for the target MCP server that names the proxy as actor, so "
    "its policy and audit see the real user and the proxy. Errors are RFC 9457 problem+json."
)


def create_app(
    settings: ProxySettings,
    *,
    verifier: TokenVerifier | None = None,
    authorizer: Authorizer | CachingAuthorizer | None = None,
    registry: ServerRegistry | None = None,
) -> FastAPI:
    """The proxy; components not given are built from the settings."""
    metrics = PlatformMetrics(settings.service_name)
    verifier = verifier or build_verifier(settings)
    engine = authorizer or build_authorizer(settings)
    caching = (
        engine
        if isinstance(engine, CachingAuthorizer)
        else CachingAuthorizer(engine, ttl_seconds=settings.decision_cache_ttl, metrics=metrics)
    )
    registry = registry or ServerRegistry.from_settings(settings)
    gate = Gatekeeper(verifier, caching, realm=settings.service_name, metrics=metrics)
    service = ProxyService(registry, gate, metrics=metrics)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        _log.info(
            "proxy starting",
            extra={"event.action": "server.start", "mcp.servers": registry.names},
        )
        try:
            yield
        finally:
            for component in (registry, caching, verifier):
                try:
                    await component.aclose()
                except Exception as exc:
                    _log.warning("close failed", extra={"error.type": type(exc).__name__})

    app = FastAPI(
        title="MCP REST API proxy",
        version="1.0.0",
        description=_DESCRIPTION,
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    app.include_router(build_router(service))

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProxyProblem)
        return problem_response(request, exc)

    app.add_exception_handler(ProxyProblem, on_problem)
    app.add_exception_handler(HTTPException, http_exception_handler)
    app.add_exception_handler(RequestValidationError, validation_exception_handler)
    _add_operational_routes(app, settings, service, metrics)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    # Like the MCP servers: exact Host and Origin, one Authorization header (problem+json).
    app.add_middleware(
        RequestGuardMiddleware,
        allowed_hosts=settings.allowed_hosts,
        allowed_origins=settings.allowed_origins,
        problem_json=True,
    )
    app.add_middleware(RequestContextMiddleware)  # ids and logs for everything
    # Outermost: past MCP_MAX_IN_FLIGHT requests in this process or MCP_MAX_LOOP_LAG_MS of
    # event-loop lag, 503 + Retry-After at once.
    app.add_middleware(
        AdmissionMiddleware,
        max_in_flight=settings.max_in_flight,
        max_loop_lag=settings.max_loop_lag_ms / 1000 or None,
        problem_json=True,
        metrics=metrics,
    )
    return app


def _add_operational_routes(
    app: FastAPI, settings: ProxySettings, service: ProxyService, metrics: PlatformMetrics
) -> None:
    base: dict[str, Any] = {}

    def base_document() -> dict[str, Any]:
        if not base:
            base.update(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
            schemas = base.setdefault("components", {}).setdefault("schemas", {})
            ref = "#/components/schemas/{model}"
            schemas["ToolCallRequest"] = ToolCallRequest.model_json_schema(ref_template=ref)
        return base

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> Response:
        if "authorization" not in request.headers:
            # No caller, no tools: the generic routes only. The proxy holds no identity of
            # its own that could list tools (it only exchanges callers' tokens).
            return JSONResponse(build_document(base_document(), {}))
        # The caller's own document: one typed operation per tool they may call.
        principal, token = await service.gate.authenticate(request)
        with log_context(**{"user.id": principal.subject}):
            tools = await service.caller_catalog(principal, token, request.state.request_id)
        return JSONResponse(build_document(base_document(), tools))

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} - Swagger UI")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "alive", "service": settings.service_name})

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        # Upstream servers are reported, not required: one down server must not take the
        # proxy out of rotation for the others.
        checks: dict[str, bool] = {}
        for name, check in (
            ("keys", service.gate.verifier.ready()),
            ("policy", service.gate.authorizer.ready()),
        ):
            try:
                checks[name] = bool(await asyncio.wait_for(check, timeout=3.0))
            except Exception:
                checks[name] = False
        ready = all(checks.values())
        return JSONResponse(
            {
                "status": "ready" if ready else "not ready",
                "checks": checks,
                "servers": await service.registry.health(),
            },
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics_route() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)


def create_app_from_env() -> FastAPI:
    """App factory for uvicorn workers: settings from the environment."""
    settings = load_settings(ProxySettings)
    configure_logging(settings.service_name, settings.log_level)
    app = create_app(settings)
    tune_gc()
    return app


def main() -> None:
    """Read the settings, configure logging, serve until interrupted."""
    settings = load_settings(ProxySettings)
    configure_logging(settings.service_name, settings.log_level)
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": 5,
        # Slow clients (headers or body dribbled in) are cut off, like on the MCP servers.
        "header_timeout": settings.http_header_timeout_seconds,
        "body_timeout": settings.http_body_timeout_seconds,
    }
    if settings.workers > 1:
        prepare_metrics_dir(settings.service_name)  # /metrics adds up every worker's counts
        run_listener(
            "mcp_rest_api_proxy.app:create_app_from_env",
            factory=True,
            workers=settings.workers,
            **options,
        )
    else:
        app = create_app(settings)
        tune_gc()
        run_listener(app, **options)
