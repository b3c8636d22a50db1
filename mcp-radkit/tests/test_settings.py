"""The server's settings: its own defaults on top of the platform's `MCP_` variables."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mcp_radkit import RadkitSettings

REQUIRED = {"oidc_issuer": "http://127.0.0.1:9", "oidc_audience": "mcp-platform",
            "vault_addr": "http://127.0.0.1:9", "vault_token": "unused"}  # fmt: skip


def test_defaults_name_the_service_port_and_secret() -> None:
    settings = RadkitSettings(**REQUIRED)  # type: ignore[arg-type]
    assert (settings.service_name, settings.port, settings.secret_path) == (
        "mcp-radkit", 8004, "api/radkit"
    )  # fmt: skip


def test_environment_variables_use_the_platform_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in REQUIRED.items():
        monkeypatch.setenv(f"MCP_{key.upper()}", value)
    monkeypatch.setenv("MCP_POLL_INTERVAL", "0.25")
    monkeypatch.setenv("MCP_WAIT_MARGIN", "3")
    settings = RadkitSettings()  # type: ignore[call-arg]
    assert (settings.poll_interval, settings.wait_margin) == (0.25, 3.0)


@pytest.mark.parametrize("field", ["poll_interval", "wait_margin", "backend_timeout"])
def test_non_positive_durations_are_refused(field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        RadkitSettings(**REQUIRED, **{field: 0})  # type: ignore[arg-type]
