"""Command line: the token from the environment, `python -m github_simulator`."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from github_simulator import cli


def test_main_refuses_to_start_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(cli.TOKEN_ENV, raising=False)
    with pytest.raises(SystemExit) as exited:
        cli.main([])
    assert exited.value.code == 2
    assert cli.TOKEN_ENV in capsys.readouterr().err


def test_main_serves_the_app_with_the_token_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        seen.update(kwargs, app=app)

    monkeypatch.setenv(cli.TOKEN_ENV, "ghp_from_env")
    monkeypatch.setattr("simulator_kit.cli.run_listener", fake_run)
    cli.main(["--host", "127.0.0.2", "--port", "19103", "--no-admin", "--search-limit", "100"])
    assert seen["host"] == "127.0.0.2" and seen["port"] == 19103
    ctx = seen["app"].state.github
    assert ctx.token == "ghp_from_env" and ctx.limits.search.limit == 100
    assert not any(getattr(r, "path", "").startswith("/sandbox") for r in seen["app"].routes)


def test_the_token_option_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setenv(cli.TOKEN_ENV, "from-env")
    monkeypatch.setattr("simulator_kit.cli.run_listener", lambda app, **kw: seen.update(app=app))
    cli.main(["--token", "from-flag"])
    assert seen["app"].state.github.token == "from-flag"


@pytest.mark.parametrize("args", [["--port", "0"], ["--core-limit", "0"]])
def test_main_rejects_invalid_numbers(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    monkeypatch.setenv(cli.TOKEN_ENV, "x")
    with pytest.raises(SystemExit):
        cli.main(args)


def test_python_dash_m_prints_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "github_simulator", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0 and "--token" in result.stdout and "--port" in result.stdout
