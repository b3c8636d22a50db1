"""The pytest plugin (entry point `pytest11`): real parts on 127.0.0.1 for every package's tests.

- `idp`: the development OIDC issuer (real HTTP, real keys) for tokens of every kind.
- `openbao`: a real OpenBao dev server (Vault API) for secrets.
- `policy_path`: the real policy file.
- `serve`: serve any ASGI app (an MCP server, a simulator) on a free port for one test module.
- `launched_platform`: the whole platform as `make up` runs it (`LocalPlatform`, free ports),
  started once for the session by the first test that asks for it; tests only read from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dev_idp import IdpServer
from platform_launcher.openbao import OpenBaoDevServer
from platform_launcher.platform import LocalPlatform, PlatformPorts
from simulator_kit.serve import BackgroundServer

__all__ = [
    "AUDIENCE",
    "OPERATOR_SETTING",
    "POLICY",
    "idp",
    "launched_platform",
    "openbao",
    "policy_path",
    "serve",
]

AUDIENCE = "mcp-platform"
# The policy as deployed: common-services/opa/policy.rego.
POLICY = Path(__file__).resolve().parents[3] / "opa" / "policy.rego"
# A tuning variable an operator gives `make up` (name, value): `launched_platform` starts
# with it in its environment, and every service it starts must see it. The value is the
# default's neighbour, so nothing else changes.
OPERATOR_SETTING = ("MCP_HTTP_BODY_TIMEOUT_SECONDS", "31")


@pytest.fixture(scope="session")
def policy_path() -> Path:
    """The platform's policy, as deployed."""
    return POLICY


@pytest.fixture(scope="session")
def idp() -> Iterator[IdpServer]:
    """The development issuer on a free port (audience `mcp-platform`)."""
    with IdpServer(audience=AUDIENCE) as server:
        yield server


@pytest.fixture(scope="session")
def openbao() -> Iterator[OpenBaoDevServer]:
    """A real OpenBao dev server shared by the session (tests use their own paths)."""
    with OpenBaoDevServer() as server:
        yield server


@pytest.fixture(scope="module")
def serve() -> Iterator[Callable[[Any], BackgroundServer]]:
    """Start ASGI apps on free ports; all stop at the end of the module."""
    started: list[BackgroundServer] = []

    def _serve(app: Any, port: int = 0) -> BackgroundServer:
        server = BackgroundServer(app, port=port).start()
        started.append(server)
        return server

    yield _serve
    for server in reversed(started):
        server.stop()


@pytest.fixture(scope="session")
def launched_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlatform]:
    """Every part as `make up` starts it, on free ports, once per session (its progress
    lines in `progress_lines`); on a failed start, each part's log tail is printed."""
    state = tmp_path_factory.mktemp("launched-platform")
    lines: list[str] = []
    local = LocalPlatform(ports=PlatformPorts.free(), state_dir=state, say=lines.append)
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv(*OPERATOR_SETTING)
            local.start()
    except RuntimeError:
        for log in sorted((state / "logs").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-3000:]}")
        raise
    local.progress_lines = lines  # type: ignore[attr-defined]
    yield local
    local.stop()
