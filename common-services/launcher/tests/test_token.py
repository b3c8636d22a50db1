"""`make token`: refuses unknown identities and says when the platform is not running."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest

from dev_idp import IdpServer
from platform_launcher import token


def test_an_unknown_identity_prints_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert token.main(["mallory"]) == 2
    assert "usage: make token ID=<identity>" in capsys.readouterr().err


def test_without_a_running_platform_it_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MCP_PLATFORM_ENDPOINTS", str(tmp_path / "endpoints.json"))
    assert token.main(["admin"]) == 1
    assert "make up" in capsys.readouterr().err


@pytest.fixture
def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, idp: IdpServer) -> IdpServer:
    endpoints = {
        "issuer": idp.issuer,
        "token_endpoint": idp.endpoint("/token"),
        "servers": {"github": "http://127.0.0.1:8003/mcp"},
    }
    path = tmp_path / "endpoints.json"
    path.write_text(json.dumps(endpoints))
    monkeypatch.setenv("MCP_PLATFORM_ENDPOINTS", str(path))
    return idp


def _aud(capsys: pytest.CaptureFixture[str]) -> object:
    return jwt.decode(capsys.readouterr().out.strip(), options={"verify_signature": False})["aud"]


def test_server_picks_the_resource_and_so_the_audience(
    running: IdpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert token.main(["developer"]) == 0
    assert _aud(capsys) == running.audience
    assert token.main(["developer", "github"]) == 0
    assert _aud(capsys) == "http://127.0.0.1:8003/mcp"


def test_an_unknown_server_is_refused(
    running: IdpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert token.main(["developer", "jira"]) == 2
    assert "unknown server 'jira'; running: github" in capsys.readouterr().err
