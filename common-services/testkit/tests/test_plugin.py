"""The pytest plugin: its fixtures reach every package's tests through the entry point."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from platform_testkit import plugin


def test_the_plugin_is_registered_through_its_entry_point(
    pytestconfig: pytest.Config,
) -> None:
    assert pytestconfig.pluginmanager.is_registered(plugin)


def test_policy_path_is_the_deployed_policy(policy_path: Path) -> None:
    assert policy_path.name == "policy.rego" and policy_path.parent.name == "opa"
    assert "package" in policy_path.read_text()


def test_serve_runs_an_app_on_a_free_port(serve: Callable[[Any], Any]) -> None:
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("up"))])
    server = serve(app)
    assert httpx.get(server.url).text == "up"
