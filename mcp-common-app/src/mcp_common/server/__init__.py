"""The server chassis: server and tool declarations, the middleware chain, transport guards."""

from mcp_common.server._admission import AdmissionMiddleware, LoopLag
from mcp_common.server._asgi import BodyLimitMiddleware, RequestGuardMiddleware
from mcp_common.server._authorization_middleware import AuthorizationMiddleware
from mcp_common.server._cache_middleware import ReadCacheMiddleware
from mcp_common.server._components import (
    build_authorizer,
    build_rate_limiter,
    build_read_cache,
    build_secret_store,
    build_verifier,
)
from mcp_common.server._declaration import (
    BackendClient,
    Components,
    ServerSpec,
    build_server,
    serve,
)
from mcp_common.server._error_middleware import ErrorMiddleware
from mcp_common.server._factory import PlatformServer, create_server, run_server, run_workers
from mcp_common.server._listener import (
    DeadlineH11Protocol,
    DeadlineHttpToolsProtocol,
    hardened_config,
    run_listener,
)
from mcp_common.server._observability_middleware import ObservabilityMiddleware
from mcp_common.server._rate_limit import InMemoryRateLimiter, RateLimiter, RedisRateLimiter
from mcp_common.server._rate_limit_middleware import RateLimitMiddleware
from mcp_common.server._read_cache import InMemoryReadCache, ReadCache, RedisReadCache
from mcp_common.server._runtime import GC_THRESHOLDS, tune_gc
from mcp_common.server._tool_call import (
    ToolCallContext,
    ToolCallMiddleware,
    ToolCallNext,
    run_when_work_ends,
    when_work_ends,
)
from mcp_common.server._tool_errors import ERROR_KINDS, ERROR_META, error_result
from mcp_common.server._toolset import Toolset, ToolSpec, tool
from mcp_common.server._workers import SPEC_ENV, prepare_metrics_dir, spec_location, worker_app

__all__ = [
    "ERROR_KINDS",
    "ERROR_META",
    "GC_THRESHOLDS",
    "SPEC_ENV",
    "AdmissionMiddleware",
    "AuthorizationMiddleware",
    "BackendClient",
    "BodyLimitMiddleware",
    "Components",
    "DeadlineH11Protocol",
    "DeadlineHttpToolsProtocol",
    "ErrorMiddleware",
    "InMemoryRateLimiter",
    "InMemoryReadCache",
    "LoopLag",
    "ObservabilityMiddleware",
    "PlatformServer",
    "RateLimitMiddleware",
    "RateLimiter",
    "ReadCache",
    "ReadCacheMiddleware",
    "RedisRateLimiter",
    "RedisReadCache",
    "RequestGuardMiddleware",
    "ServerSpec",
    "ToolCallContext",
    "ToolCallMiddleware",
    "ToolCallNext",
    "ToolSpec",
    "Toolset",
    "build_authorizer",
    "build_rate_limiter",
    "build_read_cache",
    "build_secret_store",
    "build_server",
    "build_verifier",
    "create_server",
    "error_result",
    "hardened_config",
    "prepare_metrics_dir",
    "run_listener",
    "run_server",
    "run_when_work_ends",
    "run_workers",
    "serve",
    "spec_location",
    "tool",
    "tune_gc",
    "when_work_ends",
    "worker_app",
]
