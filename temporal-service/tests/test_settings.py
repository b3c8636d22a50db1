"""Settings of the workflows server and worker: defaults, environment, validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from temporal_service.settings import WorkflowSettings

BASE = {
    "oidc_issuer": "http://127.0.0.1:9000",
    "oidc_audience": "mcp-platform",
    "secrets_backend": "file",
    "secrets_file": "/dev/null",
}


def test_defaults_fit_the_local_platform() -> None:
    s = WorkflowSettings(**BASE)
    assert (s.service_name, s.port) == ("mcp-workflows", 8005)
    assert s.temporal_address == "127.0.0.1:7233" and s.temporal_namespace == "default"
    assert str(s.catalyst_center_url) == "http://127.0.0.1:8002/mcp"
    assert str(s.servicenow_url) == "http://127.0.0.1:8080/mcp"
    assert s.worker_client_id == "temporal-worker" and s.worker_client_secret is None
    assert s.approval_deadline_seconds == 86_400 and s.confirmation_deadline_seconds == 3_600


def test_the_environment_sets_them_with_the_mcp_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_TEMPORAL_ADDRESS", "temporal:7233")
    monkeypatch.setenv("MCP_WORKER_CLIENT_SECRET", "s3cret-value")
    monkeypatch.setenv("MCP_APPROVAL_DEADLINE_SECONDS", "3600")
    s = WorkflowSettings(**BASE)
    assert s.temporal_address == "temporal:7233" and s.approval_deadline_seconds == 3600
    assert s.worker_client_secret is not None
    assert "s3cret-value" not in repr(s)


@pytest.mark.parametrize(
    "bad",
    [
        {"temporal_address": "no-port"},
        {"temporal_address": ":7233"},
        {"approval_deadline_seconds": 0},
        {"confirmation_deadline_seconds": 0},
        {"catalyst_center_url": "not a url"},
        {"worker_client_id": ""},
    ],
)
def test_bad_values_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        WorkflowSettings(**BASE, **bad)
