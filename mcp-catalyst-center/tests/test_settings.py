"""The server's settings: platform defaults plus the backend's, from MCP_ variables."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mcp_catalyst_center import CatalystCenterSettings

REQUIRED = {
    "MCP_OIDC_ISSUER": "http://127.0.0.1:9",
    "MCP_OIDC_AUDIENCE": "mcp-platform",
    "MCP_VAULT_ADDR": "http://127.0.0.1:8200",
    "MCP_VAULT_TOKEN": "t",
}


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in REQUIRED.items():
        monkeypatch.setenv(key, value)
    s = CatalystCenterSettings()
    assert (s.service_name, s.port, s.secret_path) == (
        "mcp-catalyst-center",
        8002,
        "api/catalyst-center",
    )
    assert (s.task_poll_interval, s.task_timeout) == (1.0, 120.0)


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {**REQUIRED, "MCP_TASK_TIMEOUT": "30", "MCP_PORT": "9000"}.items():
        monkeypatch.setenv(key, value)
    s = CatalystCenterSettings()
    assert (s.task_timeout, s.port) == (30.0, 9000)


@pytest.mark.parametrize("field", ["task_poll_interval", "task_timeout", "backend_timeout"])
def test_non_positive_durations_are_refused(field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        CatalystCenterSettings(**{k[4:].lower(): v for k, v in REQUIRED.items()}, **{field: 0})
