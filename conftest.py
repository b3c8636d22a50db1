"""Fixtures shared by every package's tests: real parts on 127.0.0.1.

- `idp`: the development OIDC issuer (real HTTP, real keys) for tokens of every kind.
- `openbao`: a real OpenBao dev server (Vault API) for secrets.
- `policy_path`: the real policy file.
- `serve`: serve any ASGI app (an MCP server, a simulator) on a free port for one test module.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mcp_common.logging import EcsJsonFormatter
from mcp_sandbox.idp_server import IdpServer
from mcp_sandbox.openbao import OpenBaoDevServer
from mcp_sandbox.serve import BackgroundServer

ROOT = Path(__file__).resolve().parent
AUDIENCE = "mcp-platform"

# Shapes of credentials that must never reach a log line (JWTs, Vault tokens, PEM keys).
_LEAKS = re.compile(
    r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.|\bhv[sb]\.[A-Za-z0-9_-]{20,}|PRIVATE KEY-----"
    r"|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}"
)


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_log_line() -> Iterator[None]:
    """Every log line of the whole run, formatted as shipped, is checked for credentials."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(EcsJsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    yield
    root.removeHandler(handler)
    leaks = [line[:160] for line in stream.getvalue().splitlines() if _LEAKS.search(line)]
    assert not leaks, f"{len(leaks)} log line(s) carry a credential, e.g. {leaks[0]}"


@pytest.fixture(scope="session")
def policy_path() -> Path:
    """The platform's policy, as deployed."""
    return ROOT / "common-services" / "opa" / "policy.rego"


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
