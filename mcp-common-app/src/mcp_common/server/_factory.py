"""`create_server`: a FastMCP server with the platform's security chain, in a fixed order."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from fastmcp import FastMCP
from starlette.middleware import Middleware as ASGIMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from mcp_common.auth._fastmcp import build_auth_provider
from mcp_common.auth._verifier import TokenVerifier
from mcp_common.observability._logging import get_logger
from mcp_common.observability._metrics import CONTENT_TYPE_LATEST, PlatformMetrics
from mcp_common.policy._authorizer import Authorizer, CachingAuthorizer, PolicyFacts
from mcp_common.secrets._store import SecretStore
from mcp_common.server._admission import AdmissionMiddleware
from mcp_common.server._asgi import BodyLimitMiddleware, RequestGuardMiddleware
from mcp_common.server._authorization_middleware import AuthorizationMiddleware
from mcp_common.server._cache_middleware import ReadCacheMiddleware
from mcp_common.server._components import (
    build_authorizer,
    build_rate_limiter,
    build_read_cache,
    build_verifier,
)
from mcp_common.server._error_middleware import ErrorMiddleware
from mcp_common.server._listener import run_listener
from mcp_common.server._observability_middleware import ObservabilityMiddleware
from mcp_common.server._rate_limit import RateLimiter
from mcp_common.server._rate_limit_middleware import RateLimitMiddleware
from mcp_common.server._read_cache import ReadCache
from mcp_common.server._runtime import tune_gc
from mcp_common.server._toolset import Toolset, ToolSpec
from mcp_common.server._workers import SPEC_ENV, prepare_metrics_dir
from mcp_common.settings import CommonSettings

__all__ = ["PlatformServer", "create_server", "run_server", "run_workers"]

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
        """The ASGI app: admission control, stateless streamable HTTP, Host/Origin checks,
        body limit."""
        s = self.settings
        app = self.mcp.http_app(
            path=s.mcp_path,
            stateless_http=True,
            json_response=True,
            host_origin_protection=True,
            allowed_hosts=s.allowed_hosts,
            allowed_origins=s.allowed_origins,
            middleware=[
                # Exact Host/Origin matching and one Authorization header (FastMCP's own
                # guard above matches hosts by prefix and reads the first header only).
                ASGIMiddleware(
                    RequestGuardMiddleware,
                    allowed_hosts=s.allowed_hosts,
                    allowed_origins=s.allowed_origins,
                ),
                ASGIMiddleware(BodyLimitMiddleware, max_bytes=s.max_body_bytes),
            ],
        )
        # Outermost: an overloaded process refuses before authentication or parsing.
        return AdmissionMiddleware(
            app,
            max_in_flight=s.max_in_flight,
            max_loop_lag=s.max_loop_lag_ms / 1000 or None,
            metrics=self.metrics,
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
    read_cache: ReadCache | Literal["from-settings"] | None = "from-settings",
    cache_identity: Callable[[], Awaitable[str]] | None = None,
    policy_facts: PolicyFacts | None = None,
) -> PlatformServer:
    """Build a FastMCP server whose every tool call is authenticated, authorized and logged.

    Middleware order is fixed: errors -> observability -> rate limit -> authorization.
    With `settings.read_only`, write and execute tools are not even registered.
    Components not given (verifier, authorizer, rate limiter, read cache) are built from
    the settings. Tools declaring `cache_ttl` are answered from the read cache (inside the
    chain, after authorization), keyed with `cache_identity()` (which backend answers).
    `policy_facts`, when given, is asked before each call's decision (its facts join the
    policy input; failing to get them refuses the call).
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
    chain.append(
        AuthorizationMiddleware(
            caching, server=name, resource=resource, specs=specs, facts=policy_facts
        )
    )
    if read_cache == "from-settings":
        cacheable = any(s.cache_ttl is not None or s.invalidates for s in specs.values())
        read_cache = build_read_cache(settings) if cacheable else None
    if read_cache is not None:
        chain.append(
            ReadCacheMiddleware(
                read_cache, server=name, specs=specs, identity=cache_identity, metrics=metrics
            )
        )
        closers = [*closers, read_cache]
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
        body: dict[str, Any] = {"status": "ready" if ready else "not ready", "checks": checks}
        # Secrets served last-known-good (Vault down) keep the replica ready: pulling every
        # replica at once would turn a Vault blip into an outage. It shows here and in
        # the mcp_secrets_degraded metric.
        if getattr(platform.secrets, "degraded", False):
            body["degraded"] = {"secrets": "Vault unreachable; serving last-known-good values"}
            platform.metrics.secrets_degraded(True)
        else:
            platform.metrics.secrets_degraded(False)
        return JSONResponse(body, status_code=200 if ready else 503)

    @mcp.custom_route("/metrics", methods=["GET"], include_in_schema=False)
    async def metrics(_: Request) -> Response:
        return Response(platform.metrics.render(), media_type=CONTENT_TYPE_LATEST)


def _listener_options(s: CommonSettings) -> dict[str, Any]:
    return {
        "header_timeout": s.http_header_timeout_seconds,
        "body_timeout": s.http_body_timeout_seconds,
        "host": s.host,
        "port": s.port,
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": 5,
        "proxy_headers": True,
        "forwarded_allow_ips": "127.0.0.1",
    }


def run_server(platform: PlatformServer) -> None:
    """Serve the platform server with uvicorn (read deadlines on) until interrupted."""
    app = platform.http_app()
    tune_gc()
    run_listener(app, **_listener_options(platform.settings))


def run_workers(settings: CommonSettings, spec_location: str) -> None:
    """Serve `settings.workers` worker processes on one socket until interrupted.

    Each worker builds its own server from the `ServerSpec` at `spec_location`
    ("module:attribute") and the same environment; /metrics adds up every worker's counts
    (a per-service PROMETHEUS_MULTIPROC_DIR, prepared here before they start).
    """
    os.environ[SPEC_ENV] = spec_location
    prepare_metrics_dir(settings.service_name)
    run_listener(
        "mcp_common.server:worker_app",
        factory=True,
        workers=settings.workers,
        **_listener_options(settings),
    )
