"""Read deadlines for the simulators' and the dev issuer's uvicorn listeners (slow clients).

uvicorn's keep-alive timeout stops counting at a request's first byte, so a client sending
its headers (or body) a byte at a time would hold a connection for ever. `serve` runs an app
with uvicorn's h11 protocol plus two deadlines: headers complete within `header_timeout` s
of the connection (kept alive: of the request's first byte), the body within `body_timeout`
s of the headers; past either, 408 and the connection closes. Same behaviour as the MCP
servers' listener (`mcp_common.server.run_listener`); the kit does not depend on mcp_common.
Same server stack too (ADR 0008): uvloop and the httptools parser (`DeadlineHttpToolsProtocol`)
by default, so a simulator is never a benchmark's bottleneck (`bench/simulators.py`).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["DeadlineHttpToolsProtocol", "DeadlineProtocol", "deadline_config", "serve"]

_HEADER_ATTR = "sim_header_read_timeout"
_BODY_ATTR = "sim_body_read_timeout"
_BODY = b"request not received in time\n"
_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: " + str(len(_BODY)).encode() + b"\r\n\r\n" + _BODY
)


class DeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with header and body read deadlines (from `deadline_config`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header deadline as soon as the connection opens."""
        self._timer: asyncio.TimerHandle | None = None
        self._phase = ""
        super().connection_made(transport)
        self._arm("headers")

    def data_received(self, data: bytes) -> None:
        """Feed h11, then follow the request's phase."""
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        """Idle time between requests is uvicorn's keep-alive; the next byte re-arms."""
        super().on_response_complete()
        self._disarm()
        if not self.transport.is_closing():
            self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        """Cancel any pending deadline."""
        self._disarm()
        super().connection_lost(exc)

    def _follow(self) -> None:
        state = self.conn.their_state
        if state is h11.IDLE:
            if self._phase != "headers" and self.conn.trailing_data[0]:
                self._arm("headers")
        elif state is h11.SEND_BODY:
            if self._phase != "body":
                self._arm("body")
        else:
            self._disarm()

    def _arm(self, phase: str) -> None:
        self._disarm()
        attr, default = (_HEADER_ATTR, 10.0) if phase == "headers" else (_BODY_ATTR, 30.0)
        seconds = float(getattr(self.config, attr, default))
        self._phase = phase
        self._timer = self.loop.call_later(seconds, self._expired, phase)

    def _disarm(self) -> None:
        timer = getattr(self, "_timer", None)
        if timer is not None:
            timer.cancel()
        self._timer = None
        self._phase = ""

    def _expired(self, phase: str) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        idle = phase == "headers" and not self.conn.trailing_data[0]  # no request at all
        # A stalled request is told why, unless the app already answered it (then it just
        # ends); in the header phase any cycle is the previous request's.
        answered = phase == "body" and self.cycle is not None and self.cycle.response_started
        if not idle and not answered:
            self.transport.write(_TIMEOUT)
        self.transport.close()


class DeadlineHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the same header and body read deadlines."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header deadline as soon as the connection opens."""
        self._timer: asyncio.TimerHandle | None = None
        self._phase = ""
        self._in_message = False
        super().connection_made(transport)
        self._arm("headers")

    def on_message_begin(self) -> None:
        """A request's first byte: its headers are due."""
        super().on_message_begin()
        self._in_message = True
        if self._phase != "headers":
            self._arm("headers")

    def on_headers_complete(self) -> None:
        """Headers in: the body is due."""
        super().on_headers_complete()
        if self._in_message:
            self._arm("body")

    def on_message_complete(self) -> None:
        """The whole request is in."""
        super().on_message_complete()
        self._in_message = False
        self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Cancel any pending deadline."""
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, phase: str) -> None:
        self._disarm()
        attr, default = (_HEADER_ATTR, 10.0) if phase == "headers" else (_BODY_ATTR, 30.0)
        self._phase = phase
        self._timer = self.loop.call_later(
            float(getattr(self.config, attr, default)), self._expired, phase
        )

    def _disarm(self) -> None:
        timer = getattr(self, "_timer", None)
        if timer is not None:
            timer.cancel()
        self._timer = None
        self._phase = ""

    def _expired(self, phase: str) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        idle = phase == "headers" and not self._in_message
        cycle = self.cycle if phase == "body" else None
        if not idle and not (cycle is not None and cycle.response_started):
            self.transport.write(_TIMEOUT)
        self.transport.close()


def deadline_config(
    app: Any, *, header_timeout: float = 10.0, body_timeout: float = 30.0, **options: Any
) -> uvicorn.Config:
    """A uvicorn Config with read deadlines: uvloop and httptools by default (`http="h11"`
    for `DeadlineProtocol`, headers at most 16 KiB)."""
    if not 0 < header_timeout <= 300 or not 0 < body_timeout <= 3600:
        raise ValueError("header_timeout must be in (0, 300] s and body_timeout in (0, 3600] s")
    options.setdefault("loop", "uvloop")
    options.setdefault("http", DeadlineHttpToolsProtocol)
    if options["http"] in (DeadlineProtocol, "h11"):
        options["http"] = DeadlineProtocol
        options.setdefault("h11_max_incomplete_event_size", 16 * 1024)
    config = uvicorn.Config(app, **options)
    setattr(config, _HEADER_ATTR, float(header_timeout))
    setattr(config, _BODY_ATTR, float(body_timeout))
    return config


def serve(app: Any, **options: Any) -> None:
    """`uvicorn.run` with read deadlines (single process)."""
    uvicorn.Server(deadline_config(app, **options)).run()
