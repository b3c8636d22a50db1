"""ELK-ready structured logging: ECS field names, request context, redaction everywhere."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any, NamedTuple

from pydantic_core import to_json

from mcp_common.observability._redaction import redact, redact_text

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


class _Context(NamedTuple):
    fields: dict[str, Any]
    redacted: dict[str, Any]  # redacted once, when the context is set, not on every line


_context: ContextVar[_Context | None] = ContextVar("mcp_common_log_context", default=None)
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
    current = _context.get()
    merged = {
        **(current.fields if current else {}),
        **{k: v for k, v in fields.items() if v is not None},
    }
    token = _context.set(_Context(merged, redact(merged)))
    try:
        yield
    finally:
        _context.reset(token)


def current_log_context() -> dict[str, Any]:
    """The fields currently added to every log line."""
    current = _context.get()
    return dict(current.fields) if current else {}


@functools.lru_cache(maxsize=4)
def _second_text(second: int) -> str:
    """The timestamp up to the second, made once a second rather than on every line."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))


def _timestamp(created: float) -> str:
    """`created` as ISO 8601 UTC with milliseconds (as ECS `@timestamp` wants it)."""
    second = int(created)
    return f"{_second_text(second)}.{int((created - second) * 1000):03d}+00:00"


class EcsJsonFormatter(logging.Formatter):
    """One JSON object per line with ECS names; every field passes through redaction.

    Written directly on pydantic-core's JSON encoder (not a generic JSON formatter): two
    lines are written for every tool call, so the request context is redacted once when it
    is set (`log_context`) and each line redacts and encodes only its own fields.
    """

    def format(self, record: logging.LogRecord) -> str:
        """Format and never raise: observability fails open."""
        try:
            return to_json(self.document(record), fallback=str).decode()
        except Exception:  # pragma: no cover - last resort, must not crash the service
            return '{"log.level":"error","message":"unformattable log record"}'

    def document(self, record: logging.LogRecord) -> dict[str, Any]:
        """The ECS document for one record (redacted; a stack trace only at DEBUG)."""
        own = {
            key: value
            for key, value in record.__dict__.items()
            if key not in _RESERVED and key[:1] != "_"
        }
        if record.exc_info:
            # The type only: stack traces stay out of shipped logs unless DEBUG is on.
            exc_type = record.exc_info[0]
            own["error.type"] = exc_type.__name__ if exc_type else "Exception"
            if logging.getLogger().isEnabledFor(logging.DEBUG):
                own["error.stack_trace"] = self.formatException(record.exc_info)
        context = _context.get()
        return {
            "@timestamp": _timestamp(record.created),
            "log.level": record.levelname.lower(),
            "log.logger": record.name,
            "message": redact_text(record.getMessage()),
            "service.name": _service["name"],
            "ecs.version": "8.11.0",
            **(context.redacted if context else {}),
            **(redact(own) if own else {}),
        }


class _LineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes each record as a line; lines written on an event loop are flushed together.

    A flush is a system call: on a running event loop it is made once, at the loop's next
    turn, for every line written until then (under load, many calls' lines), rather than
    once per line. Anywhere else (threads, synchronous code) each line is flushed at once.
    """

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(stream)
        self._scheduled: asyncio.AbstractEventLoop | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            try:
                self.stream.write(line + self.terminator)
            except UnicodeEncodeError:  # a stream that is not UTF-8: \u escapes, as json does
                self.stream.write(json.dumps(json.loads(line)) + self.terminator)
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self.flush()
                return
            if self._scheduled is not loop:
                self._scheduled = loop
                loop.call_soon(self._flush_for, loop)
        except RecursionError:  # pragma: no cover - as logging.StreamHandler does
            raise
        except Exception:  # pragma: no cover - observability fails open
            self.handleError(record)

    def _flush_for(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._scheduled is loop:
            self._scheduled = None
        self.flush()


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
    handler = _LineHandler(stream or sys.stdout)
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
