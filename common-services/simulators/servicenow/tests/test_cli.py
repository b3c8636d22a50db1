"""Command line: argument parsing, secrets from the environment, `python -m` entry point."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from servicenow_simulator import cli as main_module


def test_main_refuses_to_start_without_a_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(main_module.PASSWORD_ENV, raising=False)
    with pytest.raises(SystemExit) as exited:
        main_module.main([])
    assert exited.value.code == 2
    assert main_module.PASSWORD_ENV in capsys.readouterr().err


def test_main_serves_the_app_with_secrets_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        seen.update(kwargs, app=app)

    monkeypatch.setenv(main_module.PASSWORD_ENV, "from-env")
    monkeypatch.setenv(main_module.CLIENT_SECRET_ENV, "secret-env")
    monkeypatch.setattr("simulator_kit.cli.run_listener", fake_run)
    main_module.main(["--port", "18082", "--token-ttl", "60", "--no-admin"])
    assert seen["host"] == "127.0.0.1" and seen["port"] == 18082
    issuer = seen["app"].state.servicenow.issuer
    assert issuer.credentials.password == "from-env"
    assert issuer.credentials.client_secret == "secret-env"
    assert issuer.token_ttl == 60
    assert not any(getattr(r, "path", "").startswith("/sandbox") for r in seen["app"].routes)


@pytest.mark.parametrize("args", [["--port", "0"], ["--token-ttl", "0"]])
def test_main_rejects_invalid_numbers(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    monkeypatch.setenv(main_module.PASSWORD_ENV, "x")
    with pytest.raises(SystemExit):
        main_module.main(args)


def test_python_dash_m_prints_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "servicenow_simulator", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0
    assert "--client-secret" in result.stdout
