"""Observability: ECS JSON logging with redaction, audit events, Prometheus metrics."""

from mcp_common.observability._logging import (
    AUDIT_LOGGER,
    EcsJsonFormatter,
    audit,
    configure_logging,
    current_log_context,
    get_logger,
    log_context,
)
from mcp_common.observability._metrics import CONTENT_TYPE_LATEST, PlatformMetrics
from mcp_common.observability._redaction import REDACTED, is_sensitive_key, redact, redact_text

__all__ = [
    "AUDIT_LOGGER",
    "CONTENT_TYPE_LATEST",
    "REDACTED",
    "EcsJsonFormatter",
    "PlatformMetrics",
    "audit",
    "configure_logging",
    "current_log_context",
    "get_logger",
    "is_sensitive_key",
    "log_context",
    "redact",
    "redact_text",
]
