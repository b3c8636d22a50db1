"""The local platform launcher: starts every part in order, writes endpoints.json, stops it.

Starts the development issuer, an OpenBao dev server seeded with the backends'
credentials (servers log in with AppRole, not the root token), the backend simulators,
Temporal and its worker when present, and every MCP server package present in the
workspace, each as a supervised process. `make up` (`mcp_sandbox.up`) is its front end.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from subprocess import Popen
from typing import Any

from .identities import DEFAULT_IDENTITIES, dev_secret
from .openbao import OpenBaoDevServer
from .platform_specs import (
    BACKENDS,
    BackendSpec,
    PlatformPorts,
    ServerSpec,
    available_backends,
    available_servers,
    backend_command,
    backend_secrets,
    port_busy,
    proxy_available,
    temporal_binary,
)
from .supervisor import Supervisor

__all__ = ["AUDIENCE", "ROOT", "LocalPlatform", "PlatformPorts", "ServerSpec", "available_servers"]

ROOT = Path(__file__).resolve().parents[4]
AUDIENCE = "mcp-platform"


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
        self.worker_approle: tuple[str, str] = ("", "")

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
        steps = 3 + len(backends) + len(servers) + (2 if workflows else 0) + int(proxy)
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
            idp = f"-m mcp_sandbox.idp --port {self.ports.issuer} --issuer {self.issuer}"
            run.spawn("issuer", [*idp.split(), "--audience", AUDIENCE])
            run.wait_http("issuer", f"{self.issuer}/.well-known/openid-configuration")

            progress(f"OpenBao (Vault API) on 127.0.0.1:{self.ports.vault}")
            self.vault = OpenBaoDevServer(self.ports.vault).start()
            backend_urls = {
                b.name: f"http://127.0.0.1:{self.ports.backends[b.name]}" for b in backends
            }
            self.vault.seed(backend_secrets(backend_urls, self.backend_passwords))
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
                env = self._server_env(server, port, role_id, secret_id)
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
        # The proxy reads no secret; it verifies callers and forwards their own tokens.
        env = {
            "MCP_SERVICE_NAME": "mcp-rest-api-proxy",
            "MCP_HOST": "127.0.0.1",
            "MCP_PORT": str(self.ports.proxy),
            "MCP_OIDC_ISSUER": self.issuer,
            "MCP_OIDC_AUDIENCE": AUDIENCE,
            "MCP_POLICY_ENGINE": "embedded",
            "MCP_POLICY_PATH": str(ROOT / "common-services/opa/policy.rego"),
            "MCP_SERVERS": json.dumps(dict(server_urls)),
        }
        self.supervisor.spawn("rest-api-proxy", ["-m", "mcp_rest_api_proxy"], env=env)
        self.supervisor.wait_http("rest-api-proxy", f"http://127.0.0.1:{self.ports.proxy}/healthz")

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

    def _check_ports(self, servers: Sequence[ServerSpec], backends: Sequence[BackendSpec]) -> None:
        wanted = {
            "issuer": self.ports.issuer,
            "openbao": self.ports.vault,
            "proxy": self.ports.proxy,
        }
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
        # logs in with its own AppRole (policy temporal-worker.hcl).
        assert self.vault is not None
        self.vault.seed({"api/temporal-worker": {"client_secret": dev_secret("temporal-worker")}})
        hcl = (ROOT / "common-services/vault/policies/temporal-worker.hcl").read_text()
        self.worker_approle = self.vault.enable_approle(
            "temporal-worker", ["temporal-worker"], {"temporal-worker": hcl}
        )

    def _start_worker(self, server_urls: Mapping[str, str]) -> None:
        assert self.vault is not None
        role_id, secret_id = self.worker_approle
        env = self._server_env(
            ServerSpec("workflows", "temporal_service", 0), 0, role_id, secret_id
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
        if port_busy(6379):
            env["MCP_REDIS_URL"] = "redis://127.0.0.1:6379/0"
        if server.name == "workflows":
            env["MCP_TEMPORAL_ADDRESS"] = f"127.0.0.1:{self.ports.temporal}"
        return env


if __name__ == "__main__":
    # Imported here: `up` imports this module, so a top-level import would be a cycle.
    from .up import main

    raise SystemExit(main())
