"""ELK-ready structured logging: ECS field names, request context, redaction everywhere."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

from mcp_common.observability._redaction import redact

__all__ = [
    "AUDIT_LOGGER",
    "EcsJsonFormatter",
    "audit",
    "configure_logging",
    "current_log_context",
    "get_logger",
    "log_context",
]

AUDIT_LOGGER = "mcp.audit"

_context: ContextVar[dict[str, Any] | None] = ContextVar("mcp_common_log_context", default=None)
_service: dict[str, str] = {"name": "mcp"}

# LogRecord attributes that are not user fields.
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's ANSI-coloured duplicate of the message
}


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add ECS fields (e.g. `trace.id`, `user.id`) to every log line inside the block."""
    merged = {**(_context.get() or {}), **{k: v for k, v in fields.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


def current_log_context() -> dict[str, Any]:
    """The fields currently added to every log line."""
    return dict(_context.get() or {})


class EcsJsonFormatter(logging.Formatter):
    """One JSON object per line with ECS names; every field passes through redaction.

    Written directly on `json` (not a generic JSON formatter): two lines are written for
    every tool call, and building the document once, without copies, is most of their cost.
    """

    def format(self, record: logging.LogRecord) -> str:
        """Format and never raise: observability fails open."""
        try:
            return json.dumps(self.document(record), default=str)
        except Exception:  # pragma: no cover - last resort, must not crash the service
            return '{"log.level":"error","message":"unformattable log record"}'

    def document(self, record: logging.LogRecord) -> dict[str, Any]:
        """The ECS document for one record (redacted; a stack trace only at DEBUG)."""
        fields: dict[str, Any] = {
            "log.level": record.levelname.lower(),
            "log.logger": record.name,
            "message": record.getMessage(),
            "service.name": _service["name"],
            "ecs.version": "8.11.0",
        }
        context = _context.get()
        if context:
            fields.update(context)
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                fields[key] = value
        if record.exc_info:
            # The type only: stack traces stay out of shipped logs unless DEBUG is on.
            exc_type = record.exc_info[0]
            fields["error.type"] = exc_type.__name__ if exc_type else "Exception"
            if logging.getLogger().isEnabledFor(logging.DEBUG):
                fields["error.stack_trace"] = self.formatException(record.exc_info)
        timestamp = datetime.fromtimestamp(record.created, tz=UTC).isoformat(
            timespec="milliseconds"
        )
        return {"@timestamp": timestamp, **redact(fields)}


def configure_logging(
    service_name: str, level: str = "INFO", stream: IO[str] | None = None
) -> None:
    """Send every log record as one ECS JSON line to `stream` (stdout by default)."""
    _service["name"] = service_name
    # What the ECS document never carries, the records need not collect (the logging HOWTO's
    # "Optimization": no caller frame walk, no thread, process or multiprocessing names; the
    # process id is a system call). Two records are written per tool call.
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(EcsJsonFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_mcp_common", False):
            root.removeHandler(existing)
    handler._mcp_common = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # FastMCP installs its own (rich, multi-line, traceback-printing) handlers: route its
    # records through ours instead, so they are JSON, redacted and without stack traces.
    for name in ("fastmcp", "mcp", "uvicorn", "uvicorn.error"):
        lib = logging.getLogger(name)
        for existing in list(lib.handlers):
            lib.removeHandler(existing)
        lib.propagate = True
        lib.setLevel(logging.NOTSET)
    # Libraries that would log URLs with credentials or request bodies stay quiet.
    for noisy in ("httpx", "httpx2", "httpcore", "hvac", "urllib3", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # The MCP SDK says "Terminating session" (and the like) at INFO for every stateless
    # request: per-call noise that costs CPU; the platform's own call line says it all.
    logging.getLogger("mcp.server.streamable_http").setLevel(max(logging.WARNING, root.level))


def get_logger(name: str) -> logging.Logger:
    """A standard logger; fields go in `extra` with ECS names (`event.action`, ...)."""
    return logging.getLogger(name)


def audit(action: str, outcome: str, **fields: Any) -> None:
    """Emit one audit event (`event.kind=event`, `event.category`...) on the audit logger.

    Fails open: an audit event that cannot be written never breaks the request.
    """
    try:
        extra = {"event.kind": "event", "event.action": action, "event.outcome": outcome}
        extra.update(fields)
        logging.getLogger(AUDIT_LOGGER).info(action, extra=extra)
    except Exception:  # pragma: no cover
        logging.getLogger(__name__).debug("audit event dropped", exc_info=True)
