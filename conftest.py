"""Fixtures shared by every package's tests.

The real parts on 127.0.0.1 (`idp`, `openbao`, `policy_path`, `serve`) come from the
`platform_testkit` pytest plugin; here, the check that no log line of the run leaks a
credential.
"""

from __future__ import annotations

import io
import logging
import re
import socket
from collections.abc import Iterator

import pytest

from mcp_common.observability import EcsJsonFormatter

# `pytester` runs small suites in process (tests/test_suite_rules.py checks the rules below).
pytest_plugins = ["pytester"]

# Shapes of credentials that must never reach a log line (JWTs, Vault tokens, PEM keys).
_LEAKS = re.compile(
    r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.|\bhv[sb]\.[A-Za-z0-9_-]{20,}|PRIVATE KEY-----"
    r"|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}"
)


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_log_line() -> Iterator[None]:
    """Every log line of the whole run, formatted as shipped, is checked for credentials."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(EcsJsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    yield
    root.removeHandler(handler)
    leaks = [line[:160] for line in stream.getvalue().splitlines() if _LEAKS.search(line)]
    assert not leaks, f"{len(leaks)} log line(s) carry a credential, e.g. {leaks[0]}"


# Redis is a real part of this machine and of CI (`.ci/run` starts it): a test that needs it
# fails when it is down, and the hook below turns any skip of such a test into a failure.
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis on 127.0.0.1:6379; the test fails (never skips) when it does not answer."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError as exc:
        pytest.fail(
            f"Redis is not answering on 127.0.0.1:6379 ({exc.strerror or exc}): start "
            "`redis-server --bind 127.0.0.1` (.ci/run does)",
            pytrace=False,
        )
    return REDIS_URL


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """A test that uses `redis_url` may not be skipped: that would hide a missing Redis."""
    report: pytest.TestReport = yield
    if (
        report.skipped
        and not hasattr(report, "wasxfail")
        and "redis_url" in getattr(item, "fixturenames", ())
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} needs Redis and must not be skipped ({reason})"
    return report
