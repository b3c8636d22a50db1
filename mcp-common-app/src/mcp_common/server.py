"""`create_server`: a FastMCP server with the platform's security chain, in a fixed order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn
from fastmcp import FastMCP
from starlette.middleware import Middleware as ASGIMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from .asgi import BodyLimitMiddleware
from .authorizer import Authorizer, CachingAuthorizer
from .components import build_authorizer, build_rate_limiter, build_verifier
from .fastmcp_auth import build_auth_provider
from .logging import get_logger
from .metrics import CONTENT_TYPE_LATEST, PlatformMetrics
from .middleware import (
    AuthorizationMiddleware,
    ErrorMiddleware,
    ObservabilityMiddleware,
    RateLimitMiddleware,
)
from .oidc import TokenVerifier
from .rate_limit import RateLimiter
from .runtime import tune_gc
from .secrets import SecretStore
from .settings import CommonSettings
from .toolset import Toolset, ToolSpec

__all__ = ["PlatformServer", "create_server", "run_server"]

_log = get_logger(__name__)


@dataclass
class PlatformServer:
    """A built server: the FastMCP instance and the components it was built with."""

    mcp: FastMCP[Any]
    settings: CommonSettings
    resource: str
    verifier: TokenVerifier
    authorizer: CachingAuthorizer
    secrets: SecretStore
    metrics: PlatformMetrics
    specs: dict[str, ToolSpec] = field(default_factory=dict)
    closers: list[Any] = field(default_factory=list)

    async def readiness(self) -> dict[str, bool]:
        """Which dependencies are ready: signing keys, policy, secrets."""
        checks = {
            "keys": self.verifier.ready(),
            "policy": self.authorizer.ready(),
            "secrets": self.secrets.ready(),
        }
        results: dict[str, bool] = {}
        for name, check in checks.items():
            try:
                results[name] = bool(await asyncio.wait_for(check, timeout=3.0))
            except Exception:
                results[name] = False
        return results

    async def aclose(self) -> None:
        """Close every component (each failure is logged, none stops the others)."""
        for component in (*self.closers, self.secrets, self.authorizer, self.verifier):
            try:
                await component.aclose()
            except Exception as exc:
                _log.warning("close failed", extra={"error.type": type(exc).__name__})

    def http_app(self) -> ASGIApp:
        """The ASGI app: stateless streamable HTTP, Host/Origin checks, body limit."""
        s = self.settings
        return self.mcp.http_app(
            path=s.mcp_path,
            stateless_http=True,
            json_response=True,
            host_origin_protection=True,
            allowed_hosts=s.allowed_hosts,
            allowed_origins=s.allowed_origins,
            middleware=[ASGIMiddleware(BodyLimitMiddleware, max_bytes=s.max_body_bytes)],
        )


def create_server(
    settings: CommonSettings,
    *,
    name: str,
    resource: str,
    toolsets: Iterable[Toolset],
    secrets: SecretStore,
    verifier: TokenVerifier | None = None,
    authorizer: Authorizer | CachingAuthorizer | None = None,
    rate_limiter: RateLimiter | Literal["from-settings"] | None = "from-settings",
    metrics: PlatformMetrics | None = None,
    instructions: str | None = None,
    closers: Iterable[Any] = (),
) -> PlatformServer:
    """Build a FastMCP server whose every tool call is authenticated, authorized and logged.

    Middleware order is fixed: errors -> observability -> rate limit -> authorization.
    With `settings.read_only`, write and execute tools are not even registered.
    Components not given (verifier, authorizer, rate limiter) are built from the settings.
    """
    metrics = metrics or PlatformMetrics(settings.service_name)
    verifier = verifier or build_verifier(settings)
    authorizer = authorizer or build_authorizer(settings)
    if rate_limiter == "from-settings":
        rate_limiter = build_rate_limiter(settings)
    caching = (
        authorizer
        if isinstance(authorizer, CachingAuthorizer)
        else CachingAuthorizer(authorizer, ttl_seconds=settings.decision_cache_ttl, metrics=metrics)
    )
    auth = build_auth_provider(
        verifier,
        issuer=str(settings.oidc_issuer),
        base_url=settings.base_url,
        resource_name=name,
        metrics=metrics,
    )
    registrations: list[tuple[Any, ToolSpec, str]] = []
    for toolset in toolsets:
        for fn, spec in toolset:
            if settings.read_only and not spec.read_only:
                continue  # read-only deployments never even register a write tool
            registrations.append((fn, spec, toolset.name))
    specs = {spec.name: spec for _, spec, _ in registrations}
    if len(specs) != len(registrations):
        raise ValueError("two toolsets declare a tool with the same name")
    chain: list[Any] = [ErrorMiddleware(metrics), ObservabilityMiddleware(metrics)]
    if rate_limiter is not None:
        chain.append(RateLimitMiddleware(rate_limiter, metrics))
    chain.append(AuthorizationMiddleware(caching, server=name, resource=resource, specs=specs))
    platform: PlatformServer | None = None

    @asynccontextmanager
    async def lifespan(_: FastMCP[Any]) -> AsyncIterator[dict[str, Any]]:
        # Warm keys and policy so the first call is fast; failures show in /readyz.
        if platform is not None:
            ready = await platform.readiness()
            _log.info(
                "server starting",
                extra={
                    "event.action": "server.start",
                    **{f"ready.{k}": v for k, v in ready.items()},
                },
            )
        try:
            yield {}
        finally:
            if platform is not None:
                await platform.aclose()

    mcp: FastMCP[Any] = FastMCP(
        name,
        instructions=instructions,
        auth=auth,
        middleware=chain,
        lifespan=lifespan,
        mask_error_details=True,
        strict_input_validation=True,
    )
    for fn, spec, toolset_name in registrations:
        mcp.tool(
            fn,
            name=spec.name,
            title=spec.title,
            description=spec.description,
            annotations=spec.annotations(),
            tags={spec.action, toolset_name},
            meta={"resource": spec.resource or resource, "action": spec.action},
        )
    platform = PlatformServer(
        mcp=mcp,
        settings=settings,
        resource=resource,
        verifier=verifier,
        authorizer=caching,
        secrets=secrets,
        metrics=metrics,
        specs=specs,
        closers=list(closers),
    )
    _add_operational_routes(platform)
    return platform


def _add_operational_routes(platform: PlatformServer) -> None:
    mcp = platform.mcp

    @mcp.custom_route("/healthz", methods=["GET"], include_in_schema=False)
    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "alive", "service": platform.settings.service_name})

    @mcp.custom_route("/readyz", methods=["GET"], include_in_schema=False)
    async def readyz(_: Request) -> Response:
        checks = await platform.readiness()
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @mcp.custom_route("/metrics", methods=["GET"], include_in_schema=False)
    async def metrics(_: Request) -> Response:
        return Response(platform.metrics.render(), media_type=CONTENT_TYPE_LATEST)


def run_server(platform: PlatformServer) -> None:
    """Serve the platform server with uvicorn until interrupted."""
    s = platform.settings
    app = platform.http_app()
    tune_gc()
    uvicorn.run(
        app,
        host=s.host,
        port=s.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
    )
