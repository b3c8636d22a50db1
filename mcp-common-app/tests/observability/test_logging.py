"""Logs are one ECS JSON object per line, carry request context, and never a secret."""

import asyncio
import io
import json
import logging

import pytest

from mcp_common.observability import audit, configure_logging, get_logger, log_context


@pytest.fixture
def stream() -> io.StringIO:
    buf = io.StringIO()
    configure_logging("test-service", "INFO", stream=buf)
    yield buf
    configure_logging("test-service", "INFO")


def _lines(buf: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]


def test_lines_use_ecs_field_names(stream: io.StringIO) -> None:
    get_logger("t").info("hello", extra={"event.action": "demo", "event.duration": 5})
    (line,) = _lines(stream)
    assert line["message"] == "hello"
    assert line["log.level"] == "info"
    assert line["service.name"] == "test-service"
    assert line["event.action"] == "demo"
    assert "@timestamp" in line


def test_request_context_is_added_to_every_line(stream: io.StringIO) -> None:
    with log_context(**{"trace.id": "req-1", "user.id": "alice"}):
        get_logger("t").info("inside")
    get_logger("t").info("outside")
    inside, outside = _lines(stream)
    assert inside["trace.id"] == "req-1" and inside["user.id"] == "alice"
    assert "trace.id" not in outside


def test_secrets_are_redacted_in_message_and_fields(stream: io.StringIO) -> None:
    get_logger("t").info(
        "login with password=hunter2",
        extra={"client_secret": "s3cr3t", "headers": {"Authorization": "Bearer abcdefghijkl"}},
    )
    raw = stream.getvalue()
    assert "hunter2" not in raw and "s3cr3t" not in raw and "abcdefghijkl" not in raw


def test_exceptions_log_their_type_not_their_stack(stream: io.StringIO) -> None:
    try:
        raise RuntimeError("internal detail")
    except RuntimeError:
        get_logger("t").exception("failed")
    (line,) = _lines(stream)
    assert line["error.type"] == "RuntimeError"
    assert "Traceback" not in stream.getvalue()


def test_audit_events_are_marked_as_events(stream: io.StringIO) -> None:
    audit("secret.read", "success", **{"secret.path": "api/x"})
    (line,) = _lines(stream)
    assert line["event.kind"] == "event"
    assert line["event.outcome"] == "success"
    assert line["log.logger"] == "mcp.audit"


def test_fastmcp_logs_are_routed_through_the_json_handler(stream: io.StringIO) -> None:
    logging.getLogger("fastmcp.server").warning("from fastmcp")
    assert _lines(stream)[0]["message"] == "from fastmcp"


def test_secrets_in_the_request_context_are_redacted_on_every_line(stream: io.StringIO) -> None:
    with log_context(**{"trace.id": "req-2", "session_id": "s3ss10n", "note": "token=abc123"}):
        get_logger("t").info("one")
        get_logger("t").info("two")
    for line in _lines(stream):
        assert line["trace.id"] == "req-2" and line["session_id"] == "[REDACTED]"
        assert "abc123" not in line["note"]
    assert "s3ss10n" not in stream.getvalue()


def test_a_line_field_overrides_the_context_field_of_the_same_name(stream: io.StringIO) -> None:
    with log_context(**{"user.id": "alice"}):
        get_logger("t").info("as", extra={"user.id": "bob"})
    assert _lines(stream)[0]["user.id"] == "bob"


class _CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1


def test_lines_written_on_an_event_loop_are_flushed_together_at_its_next_turn() -> None:
    out = _CountingStream()
    configure_logging("test-service", "INFO", stream=out)

    async def calls() -> tuple[int, int]:
        for n in range(3):
            get_logger("t").info(f"call {n}")
        before = out.flushes
        await asyncio.sleep(0)
        return before, out.flushes

    try:
        assert asyncio.run(calls()) == (0, 1)
        assert [line["message"] for line in _lines(out)] == ["call 0", "call 1", "call 2"]
        get_logger("t").info("no loop here")
        assert out.flushes == 2  # outside a loop, at once
    finally:
        configure_logging("test-service", "INFO")


def test_a_stream_that_cannot_write_utf8_gets_escaped_json_lines() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    configure_logging("test-service", "INFO", stream=out)
    try:
        get_logger("t").info("café", extra={"site": "Zürich"})
        out.flush()
        line = raw.getvalue().decode("ascii")
        assert "caf\\u00e9" in line
        assert json.loads(line)["site"] == "Zürich"
    finally:
        configure_logging("test-service", "INFO")
