"""Settings are validated at start; a bad one stops the service with one clear line."""

import os

import pytest

from mcp_common.settings import CommonSettings, load_settings

BASE = {
    "MCP_OIDC_ISSUER": "http://127.0.0.1:9000",
    "MCP_OIDC_AUDIENCE": "mcp-platform",
    "MCP_VAULT_ADDR": "http://127.0.0.1:8200",
    "MCP_VAULT_TOKEN": "dev-only",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch):
    for key, value in BASE.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


def test_defaults_are_secure(env: pytest.MonkeyPatch) -> None:
    s = load_settings(CommonSettings)
    assert s.policy_engine == "embedded"
    assert s.vault_verify is True
    assert all(not a.startswith("HS") for a in s.oidc_algorithms)
    assert s.base_url == "http://127.0.0.1:8000"


def test_lists_accept_commas_or_json(env: pytest.MonkeyPatch) -> None:
    env.setenv("MCP_ALLOWED_HOSTS", "mcp.example.com, mcp-catalyst-center")
    env.setenv("MCP_OIDC_ALGORITHMS", '["ES256"]')
    s = load_settings(CommonSettings)
    assert s.allowed_hosts == ["mcp.example.com", "mcp-catalyst-center"]
    assert s.oidc_algorithms == ["ES256"]


@pytest.mark.parametrize(
    ("name", "value", "needle"),
    [
        ("MCP_PORT", "70000", "MCP_PORT"),
        ("MCP_OIDC_ISSUER", "not a url", "MCP_OIDC_ISSUER"),
        ("MCP_POLICY_ENGINE", "remote", "MCP_OPA_URL is required"),
        ("MCP_VAULT_AUTH", "approle", "MCP_VAULT_ROLE_ID is required"),
    ],
)
def test_a_bad_setting_exits_with_one_line_naming_it(
    env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    needle: str,
) -> None:
    env.setenv(name, value)
    with pytest.raises(SystemExit) as exc:
        load_settings(CommonSettings)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("configuration error:") and needle in err


def test_missing_required_setting_is_named(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.delenv("MCP_OIDC_ISSUER")
    with pytest.raises(SystemExit):
        load_settings(CommonSettings)
    assert "MCP_OIDC_ISSUER" in capsys.readouterr().err


def test_the_audience_is_the_service_s_own_resource_uri(env: pytest.MonkeyPatch) -> None:
    env.delenv("MCP_OIDC_AUDIENCE")
    s = load_settings(CommonSettings)
    assert s.oidc_audience is None
    assert s.resource_url == s.token_audience == "http://127.0.0.1:8000/mcp"


@pytest.mark.parametrize(
    ("public_url", "path", "resource"),
    [
        ("https://mcp.example.com/catalyst", "/mcp", "https://mcp.example.com/catalyst/mcp"),
        ("https://mcp.example.com/", "/mcp", "https://mcp.example.com/mcp"),
        ("https://MCP.example.com", "/api/mcp/", "https://mcp.example.com/api/mcp"),
    ],
)
def test_behind_a_load_balancer_the_resource_is_the_public_url(
    env: pytest.MonkeyPatch, public_url: str, path: str, resource: str
) -> None:
    env.delenv("MCP_OIDC_AUDIENCE")
    env.setenv("MCP_PUBLIC_URL", public_url)
    env.setenv("MCP_MCP_PATH", path)
    s = load_settings(CommonSettings)
    assert s.resource_url == s.token_audience == resource


def test_an_explicit_audience_overrides_the_resource(env: pytest.MonkeyPatch) -> None:
    s = load_settings(CommonSettings)
    assert s.token_audience == "mcp-platform" != s.resource_url


def test_secret_values_never_appear_in_the_error(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("MCP_VAULT_TOKEN", "s.supersecretvalue")
    env.setenv("MCP_PORT", "nope")
    with pytest.raises(SystemExit):
        load_settings(CommonSettings)
    assert "supersecretvalue" not in capsys.readouterr().err


def test_one_worker_by_default_and_zero_means_one_per_cpu_this_process_may_use(
    env: pytest.MonkeyPatch,
) -> None:
    # `make up` runs one worker; compose and Kubernetes set MCP_WORKERS=0.
    assert load_settings(CommonSettings).workers == 1
    env.setenv("MCP_WORKERS", "0")
    assert load_settings(CommonSettings).workers == min(64, len(os.sched_getaffinity(0)))
    env.setenv("MCP_WORKERS", "3")
    assert load_settings(CommonSettings).workers == 3
