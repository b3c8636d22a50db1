"""Pooled, resilient httpx client for backend APIs: deadlines, retries, circuit breaker."""

from __future__ import annotations

import contextlib
import logging
import math
import re
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import anyio
import httpx

from mcp_common.errors import UpstreamError
from mcp_common.http._circuit_breaker import CircuitBreaker, CircuitState
from mcp_common.http._retry import RetryPolicy
from mcp_common.http._transport import PooledTransport, PoolFull
from mcp_common.observability._logging import get_logger
from mcp_common.observability._redaction import redact_text

__all__ = [
    "IDEMPOTENT_METHODS",
    "ResilientTransport",
    "json_body",
    "make_http_client",
    "parse_retry_after",
    "raise_for_status",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
# Transport errors that say something about the backend's health (not about our request).
_BACKEND_FAILURES = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_TIMEOUT_PHASES = {httpx.ConnectTimeout: "connect", httpx.WriteTimeout: "write"}
_DRAIN_LIMIT = 64 * 1024
_MAX_DETAIL = 200

_log = get_logger(__name__)

EventHooks = Mapping[str, list[Callable[..., Any]]]


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = moment.timestamp() - now()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _tls_verification_failed(exc: BaseException | None) -> bool:
    """True when a certificate check is somewhere in the exception's cause chain."""
    for _ in range(8):
        if exc is None or isinstance(exc, ssl.SSLCertVerificationError):
            return exc is not None
        exc = exc.__cause__ or exc.__context__
    return False


def _require(condition: bool, message: str) -> None:
    """Constructor validation: fail fast with a clear message."""
    if not condition:
        raise ValueError(message)


class ResilientTransport(httpx.AsyncBaseTransport):
    """Wraps a transport with per-attempt deadlines, retries, a circuit breaker and safe errors.

    Returns 1xx-4xx responses (except 429 after retries) untouched, streaming included;
    raises UpstreamError for 5xx, 429 and transport failures once retries are spent.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        backend: str,
        breaker: CircuitBreaker | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy = RetryPolicy(),
        metrics: object | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        _require(bool(backend), "backend name must not be empty")
        _require(timeout > 0, f"timeout must be > 0 seconds, got {timeout}")
        self.inner = inner
        self.backend = backend
        if breaker is None:
            # A breaker of our own reports its state on /metrics (the console charts it).
            report = getattr(metrics, "circuit_state", None)
            breaker = CircuitBreaker(
                backend, on_transition=None if report is None else _report_state(report)
            )
            if report is not None:
                report(backend, "closed")
        self.breaker = breaker
        self.timeout = float(timeout)
        self.retry = retry
        self.metrics = metrics
        self._sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send with retries; return the response or raise UpstreamError."""
        method = request.method.upper()
        override = request.extensions.get("retry")
        # retry=True treats the request as idempotent; retry=False disables retries.
        idempotent = method in IDEMPOTENT_METHODS if override is None else bool(override)
        # Bodies in memory (bytes, JSON, form) can be sent again; streamed uploads cannot.
        replayable = isinstance(request.stream, httpx.ByteStream)
        attempts = 1 + self.retry.retries if override is not False and replayable else 1
        attempt = 0
        while True:
            attempt += 1
            try:
                permit = self.breaker.acquire()
            except UpstreamError as exc:
                self._observe(method, "circuit_open", 0.0)
                self._log_failure(request, attempt, exc)
                raise
            started = time.monotonic()
            try:
                response = await self._send(request)
            except PoolFull as exc:
                # Nothing was sent and the backend is not at fault: no retry (it would only
                # add to the queue), nothing for the breaker; the caller learns at once.
                permit.release()
                self._observe(method, "pool_full", 0.0)
                error = UpstreamError(
                    f"{self.backend} unavailable (too many calls waiting for a connection)",
                    backend=self.backend,
                    kind="unavailable",
                )
                self._log_failure(request, attempt, error)
                raise error from exc
            except httpx.TransportError as exc:
                permit.failure() if isinstance(exc, _BACKEND_FAILURES) else permit.release()
                kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "network"
                self._observe(method, kind, time.monotonic() - started)
                if attempt < attempts and self._may_retry_error(exc, idempotent):
                    await self._pause(request, attempt, kind, None)
                    continue
                error = self._transport_error(exc, request)
                self._log_failure(request, attempt, error)
                raise error from exc
            except BaseException:
                permit.release()
                raise
            status = response.status_code
            self._observe(method, str(status), time.monotonic() - started)
            if status < 500 and status != 429:
                permit.success()
                return response
            permit.release() if status == 429 else permit.failure()  # 429: neither, for the breaker
            header = response.headers.get("Retry-After")
            retry_after = parse_retry_after(header) if status in _RETRY_AFTER_STATUSES else None
            await self._discard(response)
            retryable = status == 429 or (idempotent and status in _RETRY_STATUSES)
            too_long = retry_after is not None and retry_after > self.retry.max_retry_after
            if retryable and attempt < attempts and not too_long:
                await self._pause(request, attempt, status, retry_after)
                continue
            error = self._http_error(status, retry_after)
            self._log_failure(request, attempt, error)
            raise error

    async def aclose(self) -> None:
        """Close the wrapped transport (its connection pool)."""
        await self.inner.aclose()

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """One attempt, bounded by a total deadline up to the response headers."""
        limit = _timeout_of(request, "read", self.timeout)
        if limit is None:
            return await self.inner.handle_async_request(request)
        try:
            with anyio.fail_after(limit):
                return await self.inner.handle_async_request(request)
        except TimeoutError as exc:
            # Same meaning as httpx's own read timeout: the request may have been processed.
            raise httpx.ReadTimeout("no response before the deadline", request=request) from exc

    def _may_retry_error(self, exc: httpx.TransportError, idempotent: bool) -> bool:
        """Connect failures are safe for every method; others only for idempotent ones."""
        if _tls_verification_failed(exc):
            return False  # a bad certificate will not fix itself in 200 ms
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return True
        return idempotent and isinstance(exc, _BACKEND_FAILURES)

    async def _pause(
        self, request: httpx.Request, attempt: int, outcome: int | str, retry_after: float | None
    ) -> None:
        """Log the retry and wait (Retry-After when given, else jittered backoff)."""
        delay = self.retry.backoff_delay(attempt) if retry_after is None else retry_after
        message = f"retrying {self.backend} after {outcome} (attempt {attempt}, in {delay:.2f} s)"
        fields = {"event.action": "upstream.retry", "attempt": attempt, "status": outcome}
        fields["retry.delay_s"] = round(delay, 3)
        self._log(logging.INFO, message, request, fields)
        await self._sleep(delay)

    def _log_failure(self, request: httpx.Request, attempt: int, error: UpstreamError) -> None:
        """One WARNING per failed call, with the safe message only."""
        fields = {"event.action": "upstream.error", "event.outcome": "failure", "attempt": attempt}
        fields.update({"status": error.status or error.kind, "error.type": error.kind})
        self._log(logging.WARNING, str(error), request, fields)

    def _log(
        self, level: int, message: str, request: httpx.Request, fields: dict[str, Any]
    ) -> None:
        """ECS-ish fields; the URL path only, since query strings may carry secrets."""
        fields.update({"backend": self.backend, "http.request.method": request.method})
        fields["url.path"] = request.url.path
        _log.log(level, "%s", message, extra=fields)

    def _observe(self, method: str, outcome: str, seconds: float) -> None:
        """Report one attempt to the metrics sink, if any; never fails the call."""
        if self.metrics is None:
            return
        try:
            self.metrics.upstream_request(self.backend, method, outcome, seconds)  # type: ignore[attr-defined]
        except Exception:
            _log.debug("upstream metrics dropped", exc_info=True)

    def _transport_error(self, exc: httpx.TransportError, request: httpx.Request) -> UpstreamError:
        """Map a transport failure to a message safe for end users."""
        if isinstance(exc, httpx.TimeoutException):
            phase = _TIMEOUT_PHASES.get(type(exc), "read")
            seconds = _timeout_of(request, phase, self.timeout) or self.timeout
            message = f"{self.backend} timed out after {float(round(seconds, 3))} s"
            return UpstreamError(message, backend=self.backend, kind="timeout")
        if _tls_verification_failed(exc):
            message = f"{self.backend} unreachable (TLS certificate verification failed)"
        elif isinstance(exc, httpx.ConnectError):
            message = f"{self.backend} unreachable (connection failed)"
        else:
            message = f"{self.backend} connection error ({type(exc).__name__})"
        return UpstreamError(message, backend=self.backend, kind="network")

    def _http_error(self, status: int, retry_after: float | None) -> UpstreamError:
        """Map a 5xx or 429 answer to a safe error."""
        message = f"{self.backend} returned HTTP {status}"
        if retry_after is not None:
            message += f" (retry in {max(1, math.ceil(retry_after))} s)"
        return UpstreamError(
            message, backend=self.backend, status=status, retry_after=retry_after, kind="http"
        )

    async def _discard(self, response: httpx.Response) -> None:
        """Read a little of an unwanted body so the connection can be reused, then close."""
        try:
            with contextlib.suppress(httpx.HTTPError), anyio.move_on_after(1.0):
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read > _DRAIN_LIMIT:
                        break
        finally:
            await response.aclose()


def _timeout_of(request: httpx.Request, phase: str, default: float) -> float | None:
    """The request's own timeout for `phase` (set by the client), else `default`."""
    timeouts = request.extensions.get("timeout")
    if isinstance(timeouts, Mapping) and phase in timeouts:
        value = timeouts[phase]
        return None if value is None else float(value)
    return default


def _ssl_context(verify: bool | str, backend: str) -> ssl.SSLContext:
    """Verification on by default; a CA bundle file or directory replaces the default roots."""
    if verify is True:
        return httpx.create_ssl_context()
    if verify is False:
        extra = {"event.action": "upstream.tls_insecure", "backend": backend}
        _log.warning("TLS certificate verification is DISABLED for %s", backend, extra=extra)
        return httpx.create_ssl_context(verify=False)
    path = Path(verify)
    if path.is_dir():
        return ssl.create_default_context(capath=str(path))
    if path.is_file():
        return ssl.create_default_context(cafile=str(path))
    raise ValueError(f"verify: CA bundle {verify!r} for {backend} does not exist")


def make_http_client(
    backend: str,
    *,
    base_url: str = "",
    timeout: float = 10.0,
    retry: RetryPolicy = RetryPolicy(),
    verify: bool | str = True,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    breaker: CircuitBreaker | None = None,
    max_connections: int = 100,
    max_keepalive: int = 20,
    max_waiting: int = 200,
    transport: httpx.AsyncBaseTransport | None = None,
    event_hooks: EventHooks | None = None,
    metrics: object | None = None,
    proxy: str | None = None,
) -> httpx.AsyncClient:
    """A pooled httpx.AsyncClient for one backend, with timeouts, retries and a breaker.

    The pool is aiohttp's (`PooledTransport`): `max_connections` to the backend, and at most
    `max_waiting` calls waiting for one; past that a call fails at once (UpstreamError kind
    "unavailable"). `max_keepalive` is kept for compatibility (aiohttp keeps every idle
    connection until its keep-alive expires).
    """
    _require(bool(backend), "backend name must not be empty")
    _require(timeout > 0, f"timeout must be > 0 seconds, got {timeout}")
    _require(max_connections >= 1, f"max_connections must be >= 1, got {max_connections}")
    _require(0 <= max_keepalive <= max_connections, "max_keepalive must be in 0..max_connections")
    _require(max_waiting >= 0, f"max_waiting must be >= 0, got {max_waiting}")
    if transport is None:
        context = _ssl_context(verify, backend)
        transport = PooledTransport(
            max_connections=max_connections, max_waiting=max_waiting, verify=context, proxy=proxy
        )
    resilient = ResilientTransport(
        transport,
        backend=backend,
        breaker=breaker,
        timeout=timeout,
        retry=retry,
        metrics=metrics,
    )
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        headers=headers,
        auth=auth,
        transport=resilient,
        event_hooks={k: list(v) for k, v in (event_hooks or {}).items()},
    )


def raise_for_status(response: httpx.Response, backend: str) -> None:
    """Raise UpstreamError for a 4xx/5xx answer: status, reason and a short, redacted detail."""
    status = response.status_code
    if status < 400:
        return
    message = f"{backend} returned HTTP {status}"
    # The standard phrase, not the server's status line: that text is the server's to choose.
    message = f"{message} {httpx.codes.get_reason_phrase(status)}".rstrip()
    detail = _upstream_detail(response)
    if detail:
        message += f": {detail}"
    header = response.headers.get("Retry-After") if status in _RETRY_AFTER_STATUSES else None
    retry_after = parse_retry_after(header)
    raise UpstreamError(
        message, backend=backend, status=status, retry_after=retry_after, kind="http"
    )


# Where APIs put their error text: GitHub {"message"}, ServiceNow {"error": {"message"}},
# Catalyst Center {"response": {"message"|"detail"}}, OAuth {"error_description"}.
_DETAIL_KEYS = ("message", "error_description", "detail", "errorMessage", "error", "description")
_CONTAINER_KEYS = ("error", "response", "errors")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def json_body(response: httpx.Response, backend: str, *, require_object: bool = False) -> Any:
    """The decoded JSON body of a backend's answer; UpstreamError when it is not JSON (with
    `require_object`: not a JSON object), e.g. a proxy's HTML error page."""
    try:
        body = response.json()
    except ValueError:
        pass
    else:
        if not require_object or isinstance(body, dict):
            return body
    what = "a JSON object" if require_object else "JSON"
    raise UpstreamError(
        f"{backend} returned a response that is not {what} (HTTP {response.status_code})",
        backend=backend,
        status=response.status_code,
    )


def _upstream_detail(response: httpx.Response) -> str | None:
    """The upstream's own error message when short and safe, else None."""
    try:
        body = response.content
    except httpx.ResponseNotRead:
        return None  # a streamed body the caller did not read: do not read it here
    if not body or len(body) > _DRAIN_LIMIT:
        return None
    content_type = response.headers.get("content-type", "")
    text: str | None = None
    if "json" in content_type:
        with contextlib.suppress(ValueError):
            text = _find_detail(response.json())
    elif content_type.startswith("text/plain"):
        text = response.text
    text = redact_text(" ".join(_CONTROL.sub(" ", text or "").split()))
    return text if 0 < len(text) <= _MAX_DETAIL else None


def _find_detail(data: Any, depth: int = 0) -> str | None:
    """Search a decoded JSON error body for a message string."""
    if isinstance(data, list):
        data = data[0] if data else None
    if not isinstance(data, dict) or depth > 3:
        return None
    for key in _DETAIL_KEYS:
        if isinstance(data.get(key), str) and data[key].strip():
            return str(data[key])
    nested = (_find_detail(data.get(key), depth + 1) for key in _CONTAINER_KEYS)
    return next((found for found in nested if found), None)


def _report_state(report: Callable[[str, str], None]) -> Callable[[str, CircuitState], None]:
    def on_transition(backend: str, state: CircuitState) -> None:
        report(backend, state.value)

    return on_transition
