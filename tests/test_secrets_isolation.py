"""Least privilege for secrets: one Vault role and policy per service, each reading its own path.

Against a real OpenBao dev server carrying the deployed policies
(`common-services/vault/policies/<role>.hcl`): every service logs in with its own AppRole and
is refused every other service's secret. Statically: the policies, the services' settings,
the launcher and the table in docs/security.md name the same role and path per service
(compose and Kubernetes are checked in tests/test_deployment.py).
"""

from __future__ import annotations

import importlib
import os
import re
import secrets
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from mcp_common.errors import SecretError
from mcp_common.secrets import AppRoleAuth, VaultSecretStore
from platform_launcher.openbao import VAULT_POLICIES, OpenBaoDevServer, find_bao_binary
from platform_launcher.platform import (
    BACKENDS,
    PROXY_VAULT_ROLE,
    SERVERS,
    WORKER_VAULT_ROLE,
    backend_secrets,
)
from platform_testkit.kubernetes import KubernetesCluster, enable_kubernetes_auth
from simulator_kit.serve import BackgroundServer

ROOT = Path(__file__).resolve().parents[1]

# Vault role -> the only KV paths (under secret/) its policy may read.
READS: dict[str, set[str]] = {
    # ... and its own read-only ServiceNow account (the change gate), not mcp-service-now's.
    "mcp-catalyst-center": {"api/catalyst-center", "api/catalyst-center/servicenow"},
    "mcp-service-now": {"api/servicenow"},
    "mcp-github": {"api/github"},
    "mcp-radkit": {"api/radkit"},
    "temporal-worker": {"api/temporal-worker"},
    "mcp-rest-api-proxy": {"api/mcp-rest-api-proxy"},
    "mcp-workflows": set(),  # the workflows MCP server as its own process: no secret at all
}
TOKEN_SELF = {"auth/token/renew-self", "auth/token/lookup-self"}
EVERY_PATH = sorted(set().union(*READS.values()))
# Role -> (settings module, the fields naming the paths the service reads).
SETTINGS = {
    "mcp-catalyst-center": (
        "mcp_catalyst_center.settings",
        ("secret_path", "servicenow_secret_path"),
    ),
    "mcp-service-now": ("mcp_service_now.settings", ("secret_path",)),
    "mcp-github": ("mcp_github.settings", ("secret_path",)),
    "mcp-radkit": ("mcp_radkit.settings", ("secret_path",)),
    "temporal-worker": ("temporal_service.settings", ("worker_secret_path",)),
}


def policy_blocks(role: str) -> dict[str, list[str]]:
    """`path -> capabilities` of the role's deployed policy."""
    hcl = (VAULT_POLICIES / f"{role}.hcl").read_text()
    blocks = re.findall(r'^path "([^"]+)" \{\s*capabilities = \[([^\]]*)\]\s*\}', hcl, re.M)
    assert len(blocks) == len(re.findall(r"^path ", hcl, re.M)), f"{role}: unparsed block"
    return {path: re.findall(r'"(\w+)"', caps) for path, caps in blocks}


# ---------------------------------------------------------------- the policies, statically
def test_there_is_one_policy_per_service_and_no_shared_one() -> None:
    assert {p.stem for p in VAULT_POLICIES.glob("*.hcl")} == set(READS)


@pytest.mark.parametrize("role", sorted(READS))
def test_each_policy_reads_its_own_path_and_manages_its_own_token_only(role: str) -> None:
    blocks = policy_blocks(role)
    assert set(blocks) == {f"secret/data/{path}" for path in READS[role]} | TOKEN_SELF
    for path, capabilities in blocks.items():
        assert "*" not in path and "+" not in path, f"{role}: no wildcard in {path}"
        expected = ["update"] if path == "auth/token/renew-self" else ["read"]
        assert capabilities == expected, f"{role}: {path}"


@pytest.mark.parametrize("role", sorted(SETTINGS))
def test_the_services_settings_read_what_their_role_grants(role: str) -> None:
    module_name, fields = SETTINGS[role]
    module = importlib.import_module(module_name)
    (cls,) = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and obj.__module__ == module_name
        and fields[0] in getattr(obj, "model_fields", {})
    ]
    assert {cls.model_fields[field].default for field in fields} == READS[role]


def test_the_launcher_gives_each_process_its_deployed_role() -> None:
    server_roles = {s.vault_role for s in SERVERS}
    assert len(server_roles) == len(SERVERS)
    assert server_roles | {WORKER_VAULT_ROLE, PROXY_VAULT_ROLE} == set(READS)
    by_name = {s.name: s.vault_role for s in SERVERS}
    for backend in BACKENDS:  # the path seeded for a backend is one its server reads
        assert backend.secret_path in READS[by_name[backend.name]]
    # Every path the launcher seeds is read by exactly one role.
    urls = {b.name: f"http://127.0.0.1:{b.port}" for b in BACKENDS}
    seeded = backend_secrets(urls, {b.name: "pw" for b in BACKENDS})
    for path in seeded:
        assert [role for role, paths in READS.items() if path in paths] != [], path
        assert len([role for role, paths in READS.items() if path in paths]) == 1, path
    assert set(seeded["api/catalyst-center/servicenow"]) == {"username", "password", "verify_tls"}


def test_the_security_doc_table_matches_the_policies() -> None:
    text = (ROOT / "docs/security.md").read_text()
    heading = "## Secrets: one Vault role per service"
    assert heading in text
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`" in line]
    table: dict[str, set[str]] = {}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        (role,) = re.findall(r"`([^`]+)`", cells[1])
        table[role] = {p.removeprefix("secret/") for p in re.findall(r"`([^`]+)`", cells[2])}
    assert table == READS


# ---------------------------------------------------------------- a real OpenBao
@pytest.fixture(scope="module")
def bao() -> Iterator[OpenBaoDevServer]:
    """OpenBao with a secret at every service's path and every deployed role."""
    with OpenBaoDevServer() as server:
        server.seed({path: {"value": f"fake-{secrets.token_hex(8)}"} for path in EVERY_PATH})
        yield server


@pytest.fixture(scope="module")
def approles(bao: OpenBaoDevServer) -> dict[str, tuple[str, str]]:
    return {role: bao.service_approle(role) for role in READS}


def _login(bao: OpenBaoDevServer, role_id: str, secret_id: str) -> httpx.Response:
    return httpx.post(
        f"{bao.addr}/v1/auth/approle/login",
        json={"role_id": role_id, "secret_id": secret_id},
        trust_env=False,
        timeout=5,
    )


@pytest.mark.parametrize("role", sorted(READS))
def test_each_role_reads_its_own_secret_and_is_refused_every_other(
    bao: OpenBaoDevServer, approles: dict[str, tuple[str, str]], role: str
) -> None:
    login = _login(bao, *approles[role])
    assert login.status_code == 200, login.text
    auth = login.json()["auth"]
    assert auth["policies"] == [role]  # its policy only, not even Vault's `default`
    headers = {"X-Vault-Token": auth["client_token"]}
    with httpx.Client(base_url=f"{bao.addr}/v1", headers=headers, trust_env=False) as vault:
        for path in EVERY_PATH:
            status = vault.get(f"secret/data/{path}").status_code
            assert status == (200 if path in READS[role] else 403), f"{role} reading {path}"
        assert vault.request("LIST", "secret/metadata/api").status_code == 403
        for path in READS[role]:  # read-only, even on its own path
            assert vault.post(f"secret/data/{path}", json={"data": {"x": "y"}}).status_code == 403
        assert vault.get("auth/token/lookup-self").status_code == 200
        assert vault.post("auth/token/renew-self", json={}).status_code == 200
        assert vault.get("sys/policies/acl").status_code == 403


def test_a_role_id_does_not_log_in_with_another_roles_secret_id(
    bao: OpenBaoDevServer, approles: dict[str, tuple[str, str]]
) -> None:
    github_role_id, _ = approles["mcp-github"]
    _, worker_secret_id = approles["temporal-worker"]
    assert _login(bao, github_role_id, worker_secret_id).status_code == 400


@pytest.fixture
async def catalyst_store(
    bao: OpenBaoDevServer, approles: dict[str, tuple[str, str]]
) -> AsyncIterator[VaultSecretStore]:
    role_id, secret_id = approles["mcp-catalyst-center"]
    store = VaultSecretStore(
        bao.addr, auth=AppRoleAuth(role_id=role_id, secret_id=secret_id), renew=False
    )
    yield store
    await store.aclose()


async def test_a_server_logged_in_as_itself_is_refused_another_servers_and_the_workers_secret(
    catalyst_store: VaultSecretStore,
) -> None:
    """What mcp-catalyst-center's own VaultSecretStore (its AppRole) gets from Vault."""
    assert (await catalyst_store.get("api/catalyst-center"))["value"].startswith("fake-")
    # Its own ServiceNow read account (the change gate), never mcp-service-now's credential.
    assert (await catalyst_store.get("api/catalyst-center/servicenow"))["value"].startswith("fake")
    for other in ("api/servicenow", "api/github", "api/radkit", "api/temporal-worker"):
        with pytest.raises(SecretError, match=f"Permission denied reading secret '{other}'"):
            await catalyst_store.get(other)
    assert await catalyst_store.ready()


# ---------------------------------------------------------------- Kubernetes auth, for real
@pytest.fixture(scope="module")
def cluster(bao: OpenBaoDevServer) -> Iterator[KubernetesCluster]:
    """Kubernetes auth configured as an operator would, then kubernetes-roles.sh run by `bao`."""
    cluster = KubernetesCluster()
    with BackgroundServer(cluster.app) as server:
        enable_kubernetes_auth(bao, mount="kubernetes", host=server.url)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BAO_", "VAULT_"))}
        env |= {"BAO_ADDR": bao.addr, "BAO_TOKEN": bao.root_token, "VAULT": find_bao_binary()}
        done = subprocess.run(
            ["sh", str(ROOT / "common-services/vault/kubernetes-roles.sh")],
            env={**env, "NAMESPACE": "mcp"}, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        yield cluster


def _k8s_login(bao: OpenBaoDevServer, role: str, jwt: str) -> httpx.Response:
    return httpx.post(
        f"{bao.addr}/v1/auth/kubernetes/login",
        json={"role": role, "jwt": jwt},
        trust_env=False,
        timeout=10,
    )


def test_kubernetes_roles_bind_each_service_account_to_its_own_policy(
    bao: OpenBaoDevServer, cluster: KubernetesCluster
) -> None:
    roles = bao.request("LIST", "auth/kubernetes/role")["data"]["keys"]
    assert set(roles) == set(READS) - {"mcp-workflows"}
    for role in roles:
        data = bao.request("GET", f"auth/kubernetes/role/{role}")["data"]
        assert data["bound_service_account_names"] == [role]
        assert data["bound_service_account_namespaces"] == ["mcp"]
        assert (data["token_policies"], data["token_no_default_policy"]) == ([role], True)


def test_a_pod_reads_its_own_secret_with_its_service_account_and_nothing_else(
    bao: OpenBaoDevServer, cluster: KubernetesCluster
) -> None:
    github_pod = cluster.issue("mcp-github")
    login = _k8s_login(bao, "mcp-github", github_pod)
    assert login.status_code == 200, login.text
    headers = {"X-Vault-Token": login.json()["auth"]["client_token"]}
    with httpx.Client(base_url=f"{bao.addr}/v1", headers=headers, trust_env=False) as vault:
        assert vault.get("secret/data/api/github").status_code == 200
        for other in ("api/radkit", "api/servicenow", "api/temporal-worker"):
            assert vault.get(f"secret/data/{other}").status_code == 403, other
    # Its service account is no key to another service's role, nor is another namespace's.
    assert _k8s_login(bao, "temporal-worker", github_pod).status_code == 403
    assert _k8s_login(bao, "mcp-github", cluster.issue("mcp-github", "other")).status_code == 403
