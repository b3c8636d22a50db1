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


def test_the_change_gate_has_no_servicenow_by_default_and_its_own_read_account_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in REQUIRED.items():
        monkeypatch.setenv(key, value)
    s = CatalystCenterSettings()
    assert s.servicenow_instance_url is None  # then every worker deploy is refused
    assert s.servicenow_secret_path == "api/catalyst-center/servicenow"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), ("  ", None), ("https://sn.example.com", "https://sn.example.com/")],
)
def test_the_servicenow_url_comes_from_the_environment_blank_meaning_none(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str | None
) -> None:
    for key, item in {**REQUIRED, "MCP_SERVICENOW_INSTANCE_URL": value}.items():
        monkeypatch.setenv(key, item)
    url = CatalystCenterSettings().servicenow_instance_url
    assert (None if url is None else str(url)) == expected


def test_a_servicenow_url_that_is_not_http_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {**REQUIRED, "MCP_SERVICENOW_INSTANCE_URL": "sn.example.com"}.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError, match="servicenow_instance_url"):
        CatalystCenterSettings()
