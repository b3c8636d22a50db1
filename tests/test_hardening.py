"""Issue 10, hardening from a hostile review, checked on the launched platform (`make up`).

The launcher starts everything on free ports, with short read deadlines (1 s for headers,
2 s for bodies) and no secret cache (every secret read goes to OpenBao), so slow clients
and a frozen Vault show within seconds. Every MCP server and the REST proxy are attacked
the same way: two Authorization headers, Host/Origin look-alikes, slow-loris headers and
dribbled bodies; the proxy also gets hostile bodies and tools refusing their input. Last,
stopping the platform leaves no process behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import httpx
import pytest

from dev_idp.identities import dev_secret
from platform_launcher.platform import LocalPlatform, PlatformPorts

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 2.0
PROBLEM = "application/problem+json"
REPO = {"owner": "corp", "repo": "platform"}
MCP_CALL = b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}'


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlatform]:
    state = tmp_path_factory.mktemp("hardening")
    local = LocalPlatform(ports=PlatformPorts.free(), state_dir=state, say=lambda _: None)
    with pytest.MonkeyPatch.context() as env:
        # Every process the launcher spawns inherits these (settings of mcp_common).
        env.setenv("MCP_HTTP_HEADER_TIMEOUT_SECONDS", str(HEADER_TIMEOUT))
        env.setenv("MCP_HTTP_BODY_TIMEOUT_SECONDS", str(BODY_TIMEOUT))
        env.setenv("MCP_SECRET_CACHE_TTL", "0")
        try:
            local.start()
        except RuntimeError:
            for log in sorted((state / "logs").glob("*.log")):
                print(f"--- {log.name}\n{log.read_text()[-3000:]}")
            raise
    yield local
    local.stop()


@cache
def _token_for(token_endpoint: str, identity: str, resource: str) -> str:
    response = httpx.post(
        token_endpoint,
        data={"grant_type": "client_credentials", "resource": resource},
        auth=(identity, dev_secret(identity)),
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def token(local: LocalPlatform, identity: str = "admin", server: str = "rest-api-proxy") -> str:
    """A token for `server` (its RFC 8707 resource: the server's URL, the proxy's root)."""
    resources = {**local.endpoints["servers"], "rest-api-proxy": local.endpoints["rest-api-proxy"]}
    return _token_for(local.endpoints["token_endpoint"], identity, resources[server])


def listeners(local: LocalPlatform) -> dict[str, str]:
    """Every HTTP listener of the platform that this issue hardens: name -> base URL."""
    found = {name: url.removesuffix("/mcp") for name, url in local.endpoints["servers"].items()}
    found["rest-api-proxy"] = local.endpoints["rest-api-proxy"]
    return found


def mcp_headers(local: LocalPlatform, **extra: str) -> dict[str, str]:
    return {
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "MCP-Protocol-Version": "2025-11-25",
        **extra,
    }


def proxy_call(
    local: LocalPlatform, server: str, tool: str, arguments: Any, identity: str = "admin"
) -> httpx.Response:
    return httpx.post(
        f"{local.endpoints['rest-api-proxy']}/api/v1/mcp/{server}/tools/{tool}",
        json={"arguments": arguments},
        headers={"Authorization": f"Bearer {token(local, identity)}"},
        timeout=60,
    )


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "Traceback" not in response.text
    body: dict[str, Any] = response.json()
    return body


# --- two Authorization headers: refused, never "first one wins" ----------------------------
def test_two_authorization_headers_are_refused_by_every_server_and_the_proxy(
    platform: LocalPlatform,
) -> None:
    for name, url in listeners(platform).items():
        good, other = token(platform, "admin", name), token(platform, "developer", name)
        for pair in ((good, other), (other, good), (good, good)):
            auth = [("Authorization", f"Bearer {t}") for t in pair]
            if name == "rest-api-proxy":
                target = f"{url}/api/v1/mcp/servers"
                answer = httpx.get(target, headers=auth, timeout=10)
            else:
                headers = [*mcp_headers(platform).items(), *auth]
                answer = httpx.post(f"{url}/mcp", content=MCP_CALL, headers=headers, timeout=10)
            assert answer.status_code in (400, 401), (name, answer.status_code, answer.text)
            assert "Traceback" not in answer.text
    # One header is fine.
    url = listeners(platform)["github"]
    one = mcp_headers(platform, Authorization=f"Bearer {token(platform, 'admin', 'github')}")
    assert httpx.post(f"{url}/mcp", content=MCP_CALL, headers=one, timeout=10).status_code == 200


# --- Host and Origin matched exactly ---------------------------------------------------------
def test_host_and_origin_look_alikes_are_refused_everywhere(platform: LocalPlatform) -> None:
    for name, url in listeners(platform).items():
        port = httpx.URL(url).port
        path = "/api/v1/mcp/servers" if name == "rest-api-proxy" else "/mcp"
        auth = {"Authorization": f"Bearer {token(platform, 'admin', name)}"}
        hosts = [f"localhost:{port}.evil.example", f"127.0.0.1:{port}@evil.example",
                 "evil.example", f"localhost.evil.example:{port}"]  # fmt: skip
        origins = [f"http://localhost:{port}.evil.example", "http://evil.example", "null",
                   f"http://127.0.0.1:{port}@evil.example"]  # fmt: skip
        for host in hosts:
            answer = _send(url, path, {**mcp_headers(platform), **auth, "Host": host})
            assert answer.status_code in (400, 421), (name, host, answer.status_code)
        for origin in origins:
            answer = _send(url, path, {**mcp_headers(platform), **auth, "Origin": origin})
            assert answer.status_code == 403, (name, origin, answer.status_code)
        fine = _send(url, path, {**mcp_headers(platform), **auth, "Host": f"localhost:{port}"})
        assert fine.status_code == 200, name
        same = _send(
            url, path, {**mcp_headers(platform), **auth, "Origin": f"http://127.0.0.1:{port}"}
        )
        assert same.status_code == 200, name


def _send(url: str, path: str, headers: dict[str, str]) -> httpx.Response:
    if path == "/mcp":
        return httpx.post(f"{url}{path}", content=MCP_CALL, headers=headers, timeout=10)
    return httpx.get(f"{url}{path}", headers=headers, timeout=10)


# --- slow clients cut off on every listener ---------------------------------------------------
def _slow_loris(url: str, *, body: bool, path: str = "/mcp") -> tuple[bytes, float]:
    """Dribble a request (headers, or a body after complete headers); return answer, time."""
    target = httpx.URL(url)
    host = f"{target.host}:{target.port}"
    conn = socket.create_connection((target.host, target.port), timeout=10)
    conn.settimeout(10)
    started = time.monotonic()
    if body:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 200\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
        ).encode()
        conn.sendall(head)
        trickle = b"x" * 200
    else:
        trickle = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nX-Slow: {'a' * 200}".encode()
    answer = b""
    for byte in trickle:
        try:
            conn.sendall(bytes([byte]))
        except OSError:
            break  # the server hung up
        time.sleep(0.05)
        if time.monotonic() - started > 3 * (BODY_TIMEOUT if body else HEADER_TIMEOUT) + 3:
            break
    with contextlib.suppress(OSError):
        while chunk := conn.recv(4096):
            answer += chunk
    conn.close()
    return answer, time.monotonic() - started


def every_listener(local: LocalPlatform) -> dict[str, str]:
    """The servers and the proxy, plus the dev issuer and the backend simulators."""
    backends = {f"sandbox-{n}": url for n, url in local.endpoints["backends"].items()}
    return {**listeners(local), "issuer": local.endpoints["issuer"], **backends}


@pytest.mark.parametrize("part", ["headers", "body"])
def test_slow_clients_are_cut_off_on_every_listener(platform: LocalPlatform, part: str) -> None:
    urls = every_listener(platform)
    # A path whose handler reads the body (the issuer answers unknown paths at once).
    paths = {name: "/token" if name == "issuer" else "/mcp" for name in urls}
    with ThreadPoolExecutor(len(urls)) as pool:
        answers = pool.map(
            lambda n: _slow_loris(urls[n], body=part == "body", path=paths[n]), list(urls)
        )
        results = dict(zip(urls, answers, strict=True))
    deadline = BODY_TIMEOUT if part == "body" else HEADER_TIMEOUT
    for name, (answer, seconds) in results.items():
        # 408, or (a body the app never asked for) the app's own early 4xx; either way the
        # connection is cut at the deadline, long before the dribble would end (10 s).
        first = answer.split(b"\r\n", 1)[0]
        early = part == "body" and name not in listeners(platform)
        assert first.startswith(b"HTTP/1.1 408 " if not early else b"HTTP/1.1 4"), (name, first)
        assert seconds < deadline + 2.5, (name, seconds)
    # Normal clients are not affected.
    for name, url in urls.items():
        assert httpx.get(f"{url}/healthz", timeout=10).status_code < 500, name


# --- the REST proxy: hostile bodies and tools refusing their input are 4xx ---------------------
@pytest.mark.parametrize("depth", [50, 200_000])
def test_deeply_nested_json_is_422_at_the_proxy(platform: LocalPlatform, depth: int) -> None:
    raw = b'{"arguments": {"text": ' + b"[" * depth + b"]" * depth + b"}}"
    answer = httpx.post(
        f"{platform.endpoints['rest-api-proxy']}/api/v1/mcp/servicenow/tools/search_incidents",
        content=raw,
        headers={"Authorization": f"Bearer {token(platform)}"},
        timeout=30,
    )
    assert "nested more than" in problem(answer, 422)["detail"]


@pytest.mark.parametrize(
    ("server", "tool", "arguments", "says"),
    [
        (
            "catalyst-center",
            "run_show_commands",
            {"device_ids": [str(uuid.uuid4())], "commands": ["show version; reload"]},
            "refused",
        ),
        (
            "catalyst-center",
            "run_show_commands",
            {"device_ids": [str(uuid.uuid4())], "commands": ["show ver\x00sion"]},
            "control character",
        ),
        ("servicenow", "search_incidents", {"query": "active=true^ORjavascript:gs.log(1)"}, ""),
        ("servicenow", "search_incidents", {"text": "printer\x00"}, ""),
        ("github", "get_file_contents", {**REPO, "path": "../../etc/passwd"}, ".."),
        ("github", "get_file_contents", {**REPO, "path": "docs/a\x00b.md"}, ""),
    ],
    ids=[
        "cli-chaining",
        "cli-nul",
        "servicenow-script",
        "servicenow-nul",
        "github-traversal",
        "github-nul",
    ],
)
def test_a_tools_refusal_of_bad_input_is_422_through_the_proxy(
    platform: LocalPlatform, server: str, tool: str, arguments: dict[str, Any], says: str
) -> None:
    body = problem(proxy_call(platform, server, tool, arguments), 422)
    assert body["type"].endswith(("invalid-input", "invalid-arguments")), body
    assert says in body["detail"]


def test_a_lone_surrogate_is_422_at_the_proxy(platform: LocalPlatform) -> None:
    answer = httpx.post(
        f"{platform.endpoints['rest-api-proxy']}/api/v1/mcp/servicenow/tools/search_incidents",
        content=b'{"arguments": {"text": "printer \\ud83d"}}',
        headers={"Authorization": f"Bearer {token(platform)}"},
        timeout=30,
    )
    assert "lone surrogate" in problem(answer, 422)["detail"]


def test_an_open_circuit_to_a_backend_is_503_with_retry_after(platform: LocalPlatform) -> None:
    simulator = platform.endpoints["backends"]["github"]
    fault = {"path_prefix": "/repos", "status": 500, "count": 1000}
    assert httpx.post(f"{simulator}/sandbox/faults", json=fault).status_code < 300
    arguments = {"owner": "corp", "repo": "platform"}
    try:
        statuses = []
        for _ in range(10):  # 5 failed attempts open the circuit
            answer = proxy_call(platform, "github", "get_repository", arguments)
            statuses.append(answer.status_code)
            if answer.status_code == 503:
                break
    finally:
        httpx.post(f"{simulator}/sandbox/faults/clear")
    body = problem(answer, 503)
    assert body["type"].endswith("backend-unavailable"), statuses
    assert 1 <= int(answer.headers["retry-after"]) <= 30
    assert set(statuses[:-1]) <= {502}


# --- Vault frozen: still ready (degraded), calls stop paying Vault's timeout -----------------
@contextlib.contextmanager
def vault_paused(local: LocalPlatform) -> Iterator[None]:
    """SIGSTOP the OpenBao dev server: its port accepts, nothing answers."""
    assert local.vault is not None
    process = local.vault._process  # the dev server has no pause of its own
    assert process is not None
    os.kill(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(process.pid, signal.SIGCONT)


def test_readyz_stays_ready_while_vault_is_paused_and_calls_stay_fast(
    platform: LocalPlatform,
) -> None:
    base = listeners(platform)["servicenow"]
    assert proxy_call(platform, "servicenow", "search_incidents", {}).status_code == 200
    with vault_paused(platform):
        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        assert "secrets" in ready.json()["degraded"]
        assert ready.json()["checks"]["secrets"] is True
        first = time.monotonic()
        assert proxy_call(platform, "servicenow", "search_incidents", {}).status_code == 200
        first = time.monotonic() - first
        started = time.monotonic()
        for _ in range(3):
            answer = proxy_call(platform, "servicenow", "search_incidents", {})
            assert answer.status_code == 200, answer.text
        assert (time.monotonic() - started) / 3 < 1.0, first  # Vault's 5 s timeout not paid
        metrics = httpx.get(f"{base}/metrics", timeout=10).text
        assert "mcp_secrets_degraded 1.0" in metrics
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # after the back-off, Vault is probed again
        if "degraded" not in httpx.get(f"{base}/readyz", timeout=10).json():
            break
        time.sleep(1)
    else:
        pytest.fail("still degraded 30 s after Vault came back")


# --- last, since it stops this module's platform -----------------------------------------


def test_stop_ends_every_process_and_stopping_again_is_harmless(platform: LocalPlatform) -> None:
    processes = list(platform.processes.values())
    assert len(processes) > 5
    platform.stop()
    assert all(p.poll() is not None for p in processes)
    assert not (platform.state_dir / "endpoints.json").exists()
    platform.stop()  # and the module's fixture stops it once more
