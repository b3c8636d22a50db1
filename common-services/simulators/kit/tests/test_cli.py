"""The shared command line: --host, --port, --no-admin, --log-level; the port is checked."""

from __future__ import annotations

from typing import Any

import pytest

from simulator_kit.cli import add_secret_option, run_simulator, secret_from, simulator_parser


def test_the_parser_has_the_shared_options_and_defaults() -> None:
    parser = simulator_parser("python -m x", "X simulator", port=9999)
    args = parser.parse_args([])
    assert (args.host, args.port, args.no_admin) == ("127.0.0.1", 9999, False)
    assert args.log_level == "info"


def test_run_serves_the_built_app_with_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(
        "simulator_kit.cli.run_listener", lambda app, **kw: seen.update(kw, app=app)
    )
    monkeypatch.setenv("MCP_HTTP_HEADER_TIMEOUT_SECONDS", "4")
    parser = simulator_parser("python -m x", "X simulator", port=9999)
    args = parser.parse_args(["--host", "127.0.0.2", "--log-level", "debug", "--body-timeout", "7"])
    run_simulator(parser, args, lambda: "the-app")
    assert seen == {
        "app": "the-app",
        "host": "127.0.0.2",
        "port": 9999,
        "log_level": "debug",
        "header_timeout": 4.0,  # the platform's setting, from the environment
        "body_timeout": 7.0,
    }


@pytest.mark.parametrize("port", ["0", "65536"])
def test_an_impossible_port_is_refused_before_building(port: str) -> None:
    parser = simulator_parser("python -m x", "X simulator", port=9999)
    with pytest.raises(SystemExit):
        run_simulator(parser, parser.parse_args(["--port", port]), lambda: pytest.fail("built"))


def _secret_parser() -> Any:
    parser = simulator_parser("python -m x", "X simulator", port=9999)
    add_secret_option(parser, "--client-secret", "X_SECRET", "the secret")
    return parser


def test_a_secret_comes_from_the_environment_unless_its_option_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parser = _secret_parser()
    monkeypatch.setenv("X_SECRET", "from-env")
    assert secret_from(parser, parser.parse_args([]), "--client-secret", "X_SECRET") == "from-env"
    given = parser.parse_args(["--client-secret", "from-flag"])
    assert secret_from(parser, given, "--client-secret", "X_SECRET") == "from-flag"


def test_a_missing_required_secret_stops_with_its_variable_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = _secret_parser()
    monkeypatch.delenv("X_SECRET", raising=False)
    args = parser.parse_args([])
    assert secret_from(parser, args, "--client-secret", "X_SECRET", required=False) == ""
    with pytest.raises(SystemExit):
        secret_from(parser, args, "--client-secret", "X_SECRET")
    assert "X_SECRET" in capsys.readouterr().err
