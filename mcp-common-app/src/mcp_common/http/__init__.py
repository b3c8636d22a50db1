"""Backend HTTP: a pooled, resilient httpx client with deadlines, retries and a circuit breaker."""

from mcp_common.http._backend_client import (
    Endpoint,
    SecretBackedClient,
    positive_seconds,
    verify_tls_of,
)
from mcp_common.http._backend_settings import BackendSettings
from mcp_common.http._circuit_breaker import CircuitBreaker, CircuitState, Permit
from mcp_common.http._client import (
    IDEMPOTENT_METHODS,
    ResilientTransport,
    json_body,
    make_http_client,
    parse_retry_after,
    raise_for_status,
)
from mcp_common.http._retry import RetryPolicy
from mcp_common.http._session import SessionToken
from mcp_common.http._transport import PooledTransport, PoolFull

__all__ = [
    "IDEMPOTENT_METHODS",
    "BackendSettings",
    "CircuitBreaker",
    "CircuitState",
    "Endpoint",
    "Permit",
    "PoolFull",
    "PooledTransport",
    "ResilientTransport",
    "RetryPolicy",
    "SecretBackedClient",
    "SessionToken",
    "json_body",
    "make_http_client",
    "parse_retry_after",
    "positive_seconds",
    "raise_for_status",
    "verify_tls_of",
]
