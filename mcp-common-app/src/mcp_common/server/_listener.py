"""HTTP listener deadlines: slow clients (slow-loris headers, dribbled bodies) are cut off.

uvicorn's `timeout_keep_alive` only bounds the idle time *between* requests: once a byte of
a request arrives it is cancelled, and nothing bounds how long the headers or the body may
then take, so one client sending a byte every few seconds holds a connection (and a slot)
forever. `DeadlineH11Protocol` adds two deadlines to uvicorn's h11 protocol: the request
headers must be complete within `header_timeout` seconds of the connection opening (on a
kept-alive connection: of the request's first byte; the idle time before it stays uvicorn's
keep-alive), and the body within `body_timeout` seconds of the headers. Past either, the
client gets `408 Request Timeout` (when no answer has started) and the connection is
closed. The header size stays bounded by h11's limit.

`DeadlineHttpToolsProtocol` puts the same deadlines on uvicorn's httptools protocol (the C
parser of `uvicorn[standard]`), which `hardened_config` uses by default with uvloop (ADR
0008: about twice the requests per CPU second of h11 on asyncio's loop).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import socket
import threading
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mcp_common.observability._logging import get_logger

__all__ = ["DeadlineH11Protocol", "DeadlineHttpToolsProtocol", "hardened_config", "run_listener"]

_log = get_logger(__name__)
_MAX_HEADER_BYTES = 16 * 1024
_HEADER_ATTR = "mcp_header_read_timeout"
_BODY_ATTR = "mcp_body_read_timeout"
_TIMEOUT_BODY = b"request not received in time\n"
_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: " + str(len(_TIMEOUT_BODY)).encode() + b"\r\n\r\n"
    + _TIMEOUT_BODY
)  # fmt: skip


class _Deadline:
    """One pending read deadline per connection, armed for the phase a request is in."""

    _deadline: asyncio.TimerHandle | None
    _phase: str

    def _arm(self, phase: str, seconds: float) -> None:
        self._disarm()
        self._phase = phase
        loop: asyncio.AbstractEventLoop = self.loop  # type: ignore[attr-defined]
        self._deadline = loop.call_later(seconds, self._expired, phase)  # type: ignore[attr-defined]

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            assert self._deadline is not None
            self._deadline.cancel()
            self._deadline = None
        self._phase = ""


class DeadlineH11Protocol(_Deadline, H11Protocol):
    """uvicorn's h11 protocol with header and body read deadlines (from `hardened_config`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header deadline as soon as the connection opens."""
        self._deadline: asyncio.TimerHandle | None = None
        self._phase = ""
        self.header_timeout = float(getattr(self.config, _HEADER_ATTR, 10.0))
        self.body_timeout = float(getattr(self.config, _BODY_ATTR, 30.0))
        super().connection_made(transport)
        self._arm("headers", self.header_timeout)

    def data_received(self, data: bytes) -> None:
        """Feed h11, then move the deadline to the phase the request is in."""
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        """Between requests uvicorn's keep-alive timer rules; the next request's first byte
        starts its header deadline (a pipelined one may already be under way)."""
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
            if self._phase != "headers" and _pending(self):
                self._arm("headers", self.header_timeout)
        elif state is h11.SEND_BODY:
            if self._phase != "body":
                self._arm("body", self.body_timeout)
        else:  # DONE, MUST_CLOSE, CLOSED, ERROR: nothing more to wait for
            self._disarm()

    def _expired(self, phase: str) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        idle = phase == "headers" and not self.conn.trailing_data[0]  # no request at all
        # In the header phase any cycle is the previous request's.
        answered = phase == "body" and self.cycle is not None and self.cycle.response_started
        _cut_off(self, phase, idle=idle, answered=answered)


class DeadlineHttpToolsProtocol(_Deadline, HttpToolsProtocol):
    """uvicorn's httptools protocol with header and body read deadlines (from `hardened_config`).

    The parser's callbacks say where a request is: its first byte (`on_message_begin`) starts
    the header deadline (on a new connection it runs from the connection's opening), the end
    of its headers starts the body deadline, the end of the message stops both.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header deadline as soon as the connection opens."""
        self._deadline: asyncio.TimerHandle | None = None
        self._phase = ""
        self._in_message = False
        self.header_timeout = float(getattr(self.config, _HEADER_ATTR, 10.0))
        self.body_timeout = float(getattr(self.config, _BODY_ATTR, 30.0))
        super().connection_made(transport)
        self._arm("headers", self.header_timeout)

    def on_message_begin(self) -> None:
        """A request's first byte: its headers are due within the header deadline."""
        super().on_message_begin()
        self._in_message = True
        if self._phase != "headers":
            self._arm("headers", self.header_timeout)

    def on_headers_complete(self) -> None:
        """Headers in: the body is due within the body deadline."""
        super().on_headers_complete()
        if self._in_message:
            self._arm("body", self.body_timeout)

    def on_message_complete(self) -> None:
        """The whole request is in: nothing more to wait for."""
        super().on_message_complete()
        self._in_message = False
        self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Cancel any pending deadline."""
        self._disarm()
        super().connection_lost(exc)

    def _expired(self, phase: str) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        idle = phase == "headers" and not self._in_message  # no request at all
        cycle = self.cycle if phase == "body" else None
        _cut_off(self, phase, idle=idle, answered=cycle is not None and cycle.response_started)


def _cut_off(
    protocol: H11Protocol | HttpToolsProtocol, phase: str, *, idle: bool, answered: bool
) -> None:
    """Close a connection whose request missed its deadline, saying why when still possible."""
    # A stalled request is told why, unless the app already answered it (then it just ends);
    # a connection that never started a request is closed without a word.
    if not idle and not answered:
        protocol.transport.write(_TIMEOUT_RESPONSE)
    if not idle:
        client = f"{protocol.client[0]}" if protocol.client else "unknown"
        _log.warning(
            "slow client cut off: request %s not received in time",
            phase,
            extra={"event.action": "http.read_timeout", "source.ip": client},
        )
    protocol.transport.close()


def _pending(protocol: H11Protocol) -> bool:
    """True when part of a request is buffered (some header bytes arrived)."""
    trailing, _closed = protocol.conn.trailing_data
    return bool(trailing)


def hardened_config(
    app: Any, *, header_timeout: float = 10.0, body_timeout: float = 30.0, **options: Any
) -> uvicorn.Config:
    """A uvicorn Config with read deadlines and bounded headers; `options` as for uvicorn.

    By default uvloop and httptools (`http=DeadlineH11Protocol` or "h11" for the pure-Python
    parser); httptools bounds the header size itself (llhttp's limit, 80 KiB).
    """
    if not 0 < header_timeout <= 300 or not 0 < body_timeout <= 3600:
        raise ValueError("header_timeout must be in (0, 300] s and body_timeout in (0, 3600] s")
    options.setdefault("timeout_keep_alive", 5)
    options.setdefault("loop", "uvloop")
    options.setdefault("http", DeadlineHttpToolsProtocol)
    if options["http"] in (DeadlineH11Protocol, "h11"):
        options["http"] = DeadlineH11Protocol
        options.setdefault("h11_max_incomplete_event_size", _MAX_HEADER_BYTES)
    config = uvicorn.Config(app, **options)
    # Read by DeadlineH11Protocol; attributes of the config survive the pickling that
    # uvicorn's worker processes go through, a class made on the fly would not.
    setattr(config, _HEADER_ATTR, float(header_timeout))
    setattr(config, _BODY_ATTR, float(body_timeout))
    return config


def run_listener(
    app: Any, *, header_timeout: float = 10.0, body_timeout: float = 30.0, **options: Any
) -> None:
    """`uvicorn.run` with read deadlines (`workers` > 1 needs an import string as `app`)."""
    config = hardened_config(
        app, header_timeout=header_timeout, body_timeout=body_timeout, **options
    )
    if config.workers > 1:
        _run_workers(config)
    else:
        uvicorn.Server(config).run()


def _reuseport_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(config: uvicorn.Config) -> None:
    """One worker process: its own SO_REUSEPORT socket on the shared port."""
    uvicorn.Server(config).run(sockets=[_reuseport_socket(config.host, config.port)])


def _run_workers(config: uvicorn.Config) -> None:
    """`config.workers` processes, each with its own SO_REUSEPORT socket on the same port.

    With one shared listening socket (uvicorn's `Multiprocess`), whichever worker wakes
    first accepts a whole burst of connections, and one worker ends up with most of the
    load; with a socket each, the kernel spreads connections evenly. A worker that dies is
    replaced; SIGTERM or SIGINT stops them all (each finishes its requests in flight).
    """
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def stop(*_: object) -> None:
        stopping.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    # Bound here first, so a port in use fails at once rather than in every worker.
    _reuseport_socket(config.host, config.port).close()
    workers = [context.Process(target=_worker, args=(config,)) for _ in range(config.workers)]
    for process in workers:
        process.start()
    _log.info(
        "serving with %d worker processes",
        len(workers),
        extra={"event.action": "server.workers", "workers": len(workers)},
    )
    while not stopping.wait(0.5):
        for index, process in enumerate(workers):
            if not process.is_alive() and not stopping.is_set():
                _log.warning("worker %s exited (%s); replacing it", process.pid, process.exitcode)
                workers[index] = context.Process(target=_worker, args=(config,))
                workers[index].start()
    for process in workers:
        if process.is_alive() and process.pid is not None:
            os.kill(process.pid, signal.SIGTERM)
    for process in workers:
        process.join(timeout=15)
        if process.is_alive():
            process.kill()
