"""The app: health endpoints, static assets served locally, and a clear start-up error."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from dev_idp import IdpServer
from mcp_console.app import main

from .console_stack import Stack, catalyst_center


@pytest.fixture
def stack(idp: IdpServer) -> Iterator[Stack]:
    stack = Stack(idp, [catalyst_center()])
    with stack.client:
        yield stack


def test_health_and_readiness_need_no_sign_in(stack: Stack) -> None:
    assert stack.client.get("/healthz").json() == {"status": "alive", "service": "mcp-console"}
    assert stack.client.get("/readyz").json()["servers"] == ["catalyst-center"]


def test_assets_are_local_and_cacheable(stack: Stack) -> None:
    css = stack.client.get("/static/console.css")
    assert css.status_code == 200 and css.headers["cache-control"] == "public, max-age=3600"
    assert "cdn" not in stack.client.get("/").text.lower()


def test_pages_are_not_cached(stack: Stack) -> None:
    assert stack.client.get("/").headers["cache-control"] == "no-store"


def test_main_without_settings_names_the_missing_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in [k for k in os.environ if k.startswith("MCP_")]:
        monkeypatch.delenv(key)
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    assert "MCP_OIDC_ISSUER" in capsys.readouterr().err
