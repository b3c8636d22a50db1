"""BackendSettings: the `MCP_SECRET_PATH` and `MCP_BACKEND_*` settings of every backend server.

Each server in front of one backend API reads how to call it (timeout, retries, backoff, the
longest Retry-After waited out, the connection pool and its queue) from the same variables,
refused at start when out of bounds, and hands the retry part on as a `RetryPolicy`.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from pydantic import Field, ValidationError

from mcp_common.http import BackendSettings, RetryPolicy
from mcp_common.settings import SecretPath, load_settings

BASE = {
    "MCP_OIDC_ISSUER": "http://127.0.0.1:9000",
    "MCP_OIDC_AUDIENCE": "mcp-platform",
    "MCP_SECRETS_BACKEND": "file",
    "MCP_SECRETS_FILE": "unused.json",
    "MCP_SECRET_PATH": "api/demo",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment holding only the `MCP_` variables a test sets (and the base ones)."""
    for key in [k for k in os.environ if k.startswith("MCP_")]:
        monkeypatch.delenv(key)
    for key, value in BASE.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


def test_every_backend_setting_is_read_from_its_mcp_backend_variable(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("MCP_SECRET_PATH", "api/elsewhere")
    env.setenv("MCP_BACKEND_TIMEOUT", "7.5")
    env.setenv("MCP_BACKEND_RETRIES", "5")
    env.setenv("MCP_BACKEND_BACKOFF", "0.5")
    env.setenv("MCP_BACKEND_MAX_RETRY_AFTER", "45")
    env.setenv("MCP_BACKEND_MAX_CONNECTIONS", "8")
    env.setenv("MCP_BACKEND_MAX_WAITING", "16")
    s = BackendSettings()
    assert s.secret_path == "api/elsewhere"
    assert (s.backend_timeout, s.backend_retries, s.backend_backoff) == (7.5, 5, 0.5)
    assert s.backend_max_retry_after == 45.0
    assert (s.backend_max_connections, s.backend_max_waiting) == (8, 16)


class DemoSettings(BackendSettings):
    """A server as each one declares itself: its own secret path, one default of its own."""

    secret_path: SecretPath = "api/demo-backend"
    backend_retries: int = Field(1, ge=0, le=10)


def test_a_server_s_own_defaults_apply_until_the_environment_overrides_them(
    env: pytest.MonkeyPatch,
) -> None:
    env.delenv("MCP_SECRET_PATH")
    s = DemoSettings()
    assert (s.secret_path, s.retry_policy().retries) == ("api/demo-backend", 1)
    env.setenv("MCP_SECRET_PATH", "api/other")
    env.setenv("MCP_BACKEND_RETRIES", "4")
    s = DemoSettings()
    assert (s.secret_path, s.retry_policy().retries) == ("api/other", 4)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("backend_timeout", 0),
        ("backend_timeout", 301),
        ("backend_retries", -1),
        ("backend_retries", 11),
        ("backend_backoff", -0.1),
        ("backend_backoff", 10.5),
        ("backend_max_retry_after", -1),
        ("backend_max_retry_after", 301),
        ("backend_max_connections", 0),
        ("backend_max_connections", 10_001),
        ("backend_max_waiting", -1),
        ("backend_max_waiting", 100_001),
        ("secret_path", ""),
    ],
)
def test_a_value_out_of_bounds_is_refused_naming_the_field(
    env: pytest.MonkeyPatch, field: str, value: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        BackendSettings(**{field: value})
    assert [error["loc"] for error in caught.value.errors()] == [(field,)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("backend_timeout", 300),
        ("backend_retries", 0),
        ("backend_retries", 10),
        ("backend_backoff", 0),
        ("backend_max_retry_after", 0),
        ("backend_max_connections", 1),
        ("backend_max_waiting", 0),
    ],
)
def test_the_bounds_themselves_are_accepted(
    env: pytest.MonkeyPatch, field: str, value: Any
) -> None:
    assert getattr(BackendSettings(**{field: value}), field) == value


def test_at_start_a_bad_backend_variable_stops_the_server_with_one_line_naming_it(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("MCP_BACKEND_RETRIES", "50")
    with pytest.raises(SystemExit) as caught:
        load_settings(BackendSettings)
    assert caught.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("configuration error:") and "\n" not in err
    assert "MCP_BACKEND_RETRIES" in err


def test_the_retry_policy_carries_the_retries_the_backoff_and_the_longest_retry_after(
    env: pytest.MonkeyPatch,
) -> None:
    s = BackendSettings(backend_retries=2, backend_backoff=1.5, backend_max_retry_after=90)
    assert s.retry_policy() == RetryPolicy(retries=2, backoff=1.5, max_retry_after=90.0)
