"""`make up`: the whole platform on 127.0.0.1 with embedded defaults, until Ctrl-C.

Starts the development issuer, an OpenBao dev server seeded with the backends'
credentials (servers log in with AppRole, not the root token), the backend simulators
and every MCP server package present in the workspace, each as a supervised process.
Writes `.platform/endpoints.json` for scripts and tests; `make token ID=...` reads it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from .identities import DEFAULT_IDENTITIES, dev_secret
from .openbao import OpenBaoDevServer

__all__ = ["LocalPlatform", "PlatformPorts", "ServerSpec", "main"]

ROOT = Path(__file__).resolve().parents[4]
AUDIENCE = "mcp-platform"


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
)
BACKENDS: tuple[BackendSpec, ...] = (
    BackendSpec("catalyst-center", "mcp_sandbox.catalyst_center", 9101, "api/catalyst-center"),
    BackendSpec("servicenow", "mcp_sandbox.servicenow", 9102, "api/servicenow"),
)


@dataclass
class PlatformPorts:
    """Where each part listens; 0 everywhere picks free ports (tests)."""

    issuer: int = 9000
    vault: int = 8200
    backends: dict[str, int] = field(default_factory=lambda: {b.name: b.port for b in BACKENDS})
    servers: dict[str, int] = field(default_factory=lambda: {s.name: s.port for s in SERVERS})

    @classmethod
    def free(cls) -> PlatformPorts:
        """Free ports for everything (for tests running beside `make up`)."""
        return cls(
            issuer=_free_port(),
            vault=_free_port(),
            backends={b.name: _free_port() for b in BACKENDS},
            servers={s.name: _free_port() for s in SERVERS},
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_busy(port: int) -> bool:
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


def available_backends() -> list[BackendSpec]:
    """The backend simulators that exist in this checkout."""
    return [b for b in BACKENDS if importlib.util.find_spec(f"{b.module}.app") is not None]


class LocalPlatform:
    """Starts and stops every local part; usable from `make up` and from tests."""

    def __init__(
        self,
        *,
        ports: PlatformPorts | None = None,
        state_dir: Path | str = ROOT / ".platform",
        say: Any = print,
    ) -> None:
        self.ports = ports or PlatformPorts()
        self.state_dir = Path(state_dir)
        self.say = say
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[IO[bytes]] = []
        self.vault: OpenBaoDevServer | None = None
        self.endpoints: dict[str, Any] = {}
        self.issuer = f"http://127.0.0.1:{self.ports.issuer}"
        # Fresh backend passwords every run: they exist only in OpenBao and the simulators.
        self.backend_passwords = {b.name: secrets.token_urlsafe(18) for b in BACKENDS}

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> dict[str, Any]:
        """Start everything, wait until healthy, write endpoints.json; return the endpoints."""
        servers = available_servers()
        backends = available_backends()
        steps = 3 + len(backends) + len(servers)
        step = 0

        def progress(label: str) -> None:
            nonlocal step
            step += 1
            self.say(f"[{step}/{steps}] {label}")

        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "logs").mkdir(exist_ok=True)
        self._check_ports(servers, backends)
        try:
            progress(f"identity provider on {self.issuer}")
            self._spawn(
                "issuer",
                [
                    "-m",
                    "mcp_sandbox.idp",
                    "--port",
                    str(self.ports.issuer),
                    "--issuer",
                    self.issuer,
                    "--audience",
                    AUDIENCE,
                ],
            )
            self._wait_http("issuer", f"{self.issuer}/.well-known/openid-configuration")

            progress(f"OpenBao (Vault API) on 127.0.0.1:{self.ports.vault}")
            self.vault = OpenBaoDevServer(self.ports.vault).start()
            backend_urls = {
                b.name: f"http://127.0.0.1:{self.ports.backends[b.name]}" for b in backends
            }
            self.vault.seed(self._seed_secrets(backend_urls))
            role_id, secret_id = self.vault.enable_approle(
                "mcp-server",
                ["mcp-server"],
                {
                    "mcp-server": (
                        ROOT / "common-services/vault/policies/mcp-server.hcl"
                    ).read_text()
                },
            )

            for backend in backends:
                progress(f"{backend.name} simulator on {backend_urls[backend.name]}")
                args, env = self._backend_args(backend)
                self._spawn(f"sandbox-{backend.name}", args, env=env)
                self._wait_port(f"sandbox-{backend.name}", self.ports.backends[backend.name])

            progress("policy: embedded engine (regopy) over common-services/opa/policy.rego")
            server_urls: dict[str, str] = {}
            for server in servers:
                port = self.ports.servers[server.name]
                progress(f"mcp-{server.name} on http://127.0.0.1:{port}/mcp")
                env = self._server_env(server, port, role_id, secret_id)
                self._spawn(f"mcp-{server.name}", ["-m", server.module], env=env)
                self._wait_http(f"mcp-{server.name}", f"http://127.0.0.1:{port}/readyz")
                server_urls[server.name] = f"http://127.0.0.1:{port}/mcp"
        except BaseException:
            self.stop()
            raise
        self.endpoints = {
            "issuer": self.issuer,
            "token_endpoint": f"{self.issuer}/token",
            "audience": AUDIENCE,
            "vault": self.vault.addr,
            "servers": server_urls,
            "backends": backend_urls,
            "identities": {
                i.name: {"groups": list(i.groups), "mfa": i.mfa} for i in DEFAULT_IDENTITIES
            },
            "logs": str(self.state_dir / "logs"),
        }
        path = self.state_dir / "endpoints.json"
        path.write_text(json.dumps(self.endpoints, indent=2) + "\n")
        return self.endpoints

    def stop(self) -> None:
        """Stop every process (servers first), then OpenBao; safe to call twice."""
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 8
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()
        (self.state_dir / "endpoints.json").unlink(missing_ok=True)
        if self.vault is not None:
            self.vault.stop()
            self.vault = None
        for log in self._logs:
            log.close()
        self._logs.clear()

    def failed(self) -> list[str]:
        """Names of processes that have exited."""
        return [name for name, p in self.processes.items() if p.poll() is not None]

    # -- parts --------------------------------------------------------------------------

    def _check_ports(self, servers: Sequence[ServerSpec], backends: Sequence[BackendSpec]) -> None:
        wanted = {"issuer": self.ports.issuer, "openbao": self.ports.vault}
        wanted |= {f"sandbox-{b.name}": self.ports.backends[b.name] for b in backends}
        wanted |= {f"mcp-{s.name}": self.ports.servers[s.name] for s in servers}
        busy = [f"{name} ({port})" for name, port in wanted.items() if _port_busy(port)]
        if busy:
            raise RuntimeError(
                "ports already in use: "
                + ", ".join(busy)
                + " - is another `make up` running? Stop it first."
            )

    def _seed_secrets(self, urls: Mapping[str, str]) -> dict[str, dict[str, str]]:
        seeded: dict[str, dict[str, str]] = {}
        if "catalyst-center" in urls:
            seeded["api/catalyst-center"] = {
                "base_url": urls["catalyst-center"],
                "username": "admin",
                "password": self.backend_passwords["catalyst-center"],
                "verify_tls": "false",
            }
        if "servicenow" in urls:
            seeded["api/servicenow"] = {
                "instance_url": urls["servicenow"],
                "username": "integration",
                "password": self.backend_passwords["servicenow"],
                "client_id": "mcp-platform",
                "client_secret": self.backend_passwords["servicenow"] + "-oauth",
                "verify_tls": "false",
            }
        return seeded

    def _backend_args(self, backend: BackendSpec) -> tuple[list[str], dict[str, str]]:
        # Passwords go through the environment, not argv, so `ps` does not show them.
        port = str(self.ports.backends[backend.name])
        password = self.backend_passwords[backend.name]
        if backend.name == "servicenow":
            args = [
                "-m",
                backend.module,
                "--port",
                port,
                "--username",
                "integration",
                "--client-id",
                "mcp-platform",
            ]
            return args, {
                "SN_SANDBOX_PASSWORD": password,
                "SN_SANDBOX_CLIENT_SECRET": password + "-oauth",
            }
        args = ["-m", backend.module, "--port", port, "--username", "admin"]
        return args, {"CATALYST_CENTER_PASSWORD": password}

    def _server_env(
        self, server: ServerSpec, port: int, role_id: str, secret_id: str
    ) -> dict[str, str]:
        assert self.vault is not None
        env = {
            "MCP_SERVICE_NAME": f"mcp-{server.name}",
            "MCP_HOST": "127.0.0.1",
            "MCP_PORT": str(port),
            "MCP_OIDC_ISSUER": self.issuer,
            "MCP_OIDC_AUDIENCE": AUDIENCE,
            "MCP_POLICY_ENGINE": "embedded",
            "MCP_POLICY_PATH": str(ROOT / "common-services/opa/policy.rego"),
            "MCP_SECRETS_BACKEND": "vault",
            "MCP_VAULT_ADDR": self.vault.addr,
            "MCP_VAULT_AUTH": "approle",
            "MCP_VAULT_ROLE_ID": role_id,
            "MCP_VAULT_SECRET_ID": secret_id,
        }
        if _port_busy(6379):
            env["MCP_REDIS_URL"] = "redis://127.0.0.1:6379/0"
        return env

    def _spawn(self, name: str, args: list[str], env: Mapping[str, str] | None = None) -> None:
        log = open(self.state_dir / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self._logs.append(log)
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.processes[name] = subprocess.Popen(
            [sys.executable, *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=ROOT,
            start_new_session=True,
        )

    def _wait_http(self, name: str, url: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive(name)
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.15)
        raise RuntimeError(f"{name} did not become ready in {timeout:.0f} s; see {self._log(name)}")

    def _wait_port(self, name: str, port: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive(name)
            if _port_busy(port):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not listen in {timeout:.0f} s; see {self._log(name)}")

    def _check_alive(self, name: str) -> None:
        process = self.processes.get(name)
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"{name} exited with code {process.returncode}; see {self._log(name)}"
            )

    def _log(self, name: str) -> Path:
        return self.state_dir / "logs" / f"{name}.log"


def _table(endpoints: Mapping[str, Any]) -> str:
    rows = [("issuer (OIDC)", endpoints["issuer"]), ("vault (OpenBao)", endpoints["vault"])]
    rows += [(f"mcp-{name}", url) for name, url in endpoints["servers"].items()]
    rows += [(f"{name} simulator", url) for name, url in endpoints["backends"].items()]
    width = max(len(r[0]) for r in rows) + 2
    lines = ["", "Endpoints", *[f"  {a.ljust(width)}{b}" for a, b in rows], "", "Demo identities"]
    for name, info in endpoints["identities"].items():
        mfa = "MFA" if info["mfa"] else "no MFA"
        lines.append(f"  {name.ljust(22)}{', '.join(info['groups']):<20}{mfa}")
    lines += [
        "",
        "Get a token:   make token ID=network-engineer-mfa",
        f"Client secret: <identity>-secret (e.g. {dev_secret('admin')}), dev only",
        f"Logs:          {endpoints['logs']}/",
        "Endpoints as JSON: .platform/endpoints.json    Stop: Ctrl-C",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the platform in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="make up", description=__doc__)
    parser.add_argument("--state-dir", default=str(ROOT / ".platform"))
    args = parser.parse_args(argv)
    platform = LocalPlatform(state_dir=args.state_dir)
    stopping = False

    def _terminate(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        print("Starting the MCP platform on 127.0.0.1 (embedded defaults)...", flush=True)
        endpoints = platform.start()
        print(_table(endpoints), flush=True)
        while True:
            time.sleep(1)
            dead = platform.failed()
            if dead:
                print(f"stopped unexpectedly: {', '.join(dead)} (see .platform/logs/)")
                return 1
    except KeyboardInterrupt:
        stopping = True
        return 0
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        # A second Ctrl-C (or make's own signal) must not cut the clean shutdown short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if stopping:
            print("\nStopping...", flush=True)
        platform.stop()
        if stopping:
            print("Stopped.", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
