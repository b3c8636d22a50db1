"""The REST proxy against mcpo: same MCP server, same tool, same load, on 127.0.0.1.

Starts the development issuer, one MCP server built with `mcp_common.create_server` (real
JWT verification and the real policy, a trivial `echo` tool) in its own process, then:
  - this proxy (`python -m mcp_rest_api_proxy`, one process), each call with the caller's
    own bearer token (for the proxy), verified and authorized here and exchanged (RFC 8693,
    cached) for one meant for the server, naming the proxy as actor (it never forwards it);
  - mcpo (installed by this script in `.bench-venvs/mcpo`, one process), pointed at the same
    server over streamable HTTP with one static `Authorization` header (mcpo has no per-caller
    identity: every REST caller is the same MCP user);
  - and, as the ceiling, the MCP server called directly (one JSON-RPC POST per call).
Load: C concurrent keep-alive clients for T seconds per path, in R interleaved rounds (so a
burst of other work on the machine hits every path alike), each round after a short warm-up;
a small raw-socket HTTP/1.1 client in its own process, so the load generator costs little
CPU. Reports calls/s, p50 and p99 latency, errors, and the proxy/mcpo ratios.
Logging: every process at WARNING (no per-request log lines on either side).
Run: `uv run python bench/rest_proxy.py [--clients 16] [--seconds 30] [--rounds 6] [--write FILE]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import free_ports, spawn, wait_http
from report import publish

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "common-services" / "opa" / "policy.rego"
VENV = ROOT / ".bench-venvs" / "mcpo"
MCPO_VERSION = "0.0.20"
MCPO_REQUIREMENTS = (f"mcpo=={MCPO_VERSION}", "mcp<2", "fastapi<0.145")
MARK = "<!-- rest_proxy -->"


# --- the MCP server (child process) --------------------------------------------------------
def serve_mcp(port: int, issuer: str) -> None:
    """Run the benchmark's MCP server until killed (it accepts tokens for its own URI only)."""
    import uvicorn
    from echo import echo_toolset

    from mcp_common import CommonSettings, create_server
    from mcp_common.auth import OIDCVerifier
    from mcp_common.observability import configure_logging
    from mcp_common.policy import RegoAuthorizer
    from mcp_common.server import tune_gc
    from mcp_common.testing import StaticSecretStore

    configure_logging("bench-mcp", "WARNING")
    settings = CommonSettings(
        port=port,
        service_name="bench-mcp",
        oidc_issuer=issuer,
        secrets_backend="file",
        secrets_file="unused",
        policy_path=str(POLICY),
        rate_limit_per_minute=0,
        log_level="WARNING",
    )
    server = create_server(
        settings,
        name="bench",
        resource="github",
        toolsets=[echo_toolset()],
        verifier=OIDCVerifier(issuer, settings.token_audience),
        authorizer=RegoAuthorizer(POLICY),
        secrets=StaticSecretStore({}),
    )
    app = server.http_app()
    tune_gc()  # as run_server does for every platform server
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)


# --- the load generator (child process) ----------------------------------------------------
async def _client(
    port: int, request: bytes, deadline: float, warmup_until: float, out: list[float]
) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    errors = 0
    while True:
        start = time.perf_counter()
        if start >= deadline:
            break
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        if start >= warmup_until:
            if status == 200:
                out.append(time.perf_counter() - start)
            else:
                errors += 1
    writer.close()
    return errors


def _load(port: int, request: bytes, clients: int, seconds: float, warmup: float) -> dict[str, Any]:
    async def run() -> tuple[list[float], int]:
        now = time.perf_counter()
        samples: list[float] = []
        errors = await asyncio.gather(
            *(
                _client(port, request, now + warmup + seconds, now + warmup, samples)
                for _ in range(clients)
            )
        )
        return samples, sum(errors)

    samples, errors = asyncio.run(run())
    return {"samples": samples, "errors": errors, "seconds": seconds}


def merge(parts: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Calls/s, p50 and p99 (ms) and errors over every round of one path."""
    samples = sorted(s for part in parts for s in part["samples"])
    qs = statistics.quantiles(samples, n=100) if len(samples) > 1 else [0.0] * 99
    return {
        "calls": len(samples),
        "rate": len(samples) / seconds,
        "p50": qs[49] * 1000,
        "p99": qs[98] * 1000,
        "errors": sum(part["errors"] for part in parts),
    }


def load(port: int, request: bytes, clients: int, seconds: float, warmup: float) -> dict[str, Any]:
    """Run the load in a separate process (its CPU is not the proxy's)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: dict[str, Any] = pool.apply(_load, (port, request, clients, seconds, warmup))
    return result


def http_request(path: str, body: dict[str, Any], headers: dict[str, str]) -> bytes:
    """A keep-alive HTTP/1.1 POST, ready to send again and again."""
    payload = json.dumps(body).encode()
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {len(payload)}"]  # fmt: skip
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


# --- orchestration -------------------------------------------------------------------------
def ensure_mcpo() -> Path:
    """mcpo in its own venv (python -m venv + pip install); returns its executable.

    mcpo 0.0.20 declares `mcp>=1.17` and `fastapi>=0.115.12` but imports
    `streamablehttp_client`, which mcp 2 no longer has, and passes `ssl_certfile` to
    `FastAPI()`, which FastAPI 0.145 stopped accepting: it runs only with both pinned below.
    """
    exe = VENV / "bin" / "mcpo"
    marker = VENV / ".requirements"
    wanted = " ".join(MCPO_REQUIREMENTS)
    if not exe.exists() or not marker.exists() or marker.read_text() != wanted:
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, *MCPO_REQUIREMENTS], check=True)
        marker.write_text(wanted)
    return exe


def run(clients: int, seconds: float, warmup: float, rounds: int) -> dict[str, Any]:
    """Start everything, measure the three paths, stop everything.

    The proxy exchanges each caller's token for the server's (RFC 8693, cached).
    """
    from dev_idp import IdpServer

    mcpo = ensure_mcpo()
    children: list[subprocess.Popen[bytes]] = []
    with IdpServer(token_ttl=3600) as idp:
        try:
            mcp_port, proxy_port, mcpo_port = free_ports(3)
            me = [sys.executable, str(Path(__file__).resolve())]
            children.append(spawn([*me, "--serve-mcp", str(mcp_port), idp.issuer]))
            wait_http(f"http://127.0.0.1:{mcp_port}/readyz")
            mcp_url = f"http://127.0.0.1:{mcp_port}/mcp"
            proxy_url = f"http://127.0.0.1:{proxy_port}"
            token = idp.token("developer", resource=proxy_url)
            server_token = idp.token("developer", resource=mcp_url)
            children.append(
                spawn(
                    [sys.executable, "-m", "mcp_rest_api_proxy"],
                    {
                        "MCP_PORT": str(proxy_port),
                        "MCP_SERVERS": f"bench={mcp_url}",
                        "MCP_OIDC_ISSUER": idp.issuer,
                        "MCP_EXCHANGE_CLIENT_SECRET": idp.secret("rest-api-proxy"),
                        "MCP_POLICY_PATH": str(POLICY),
                        "MCP_LOG_LEVEL": "WARNING",
                    },
                )
            )
            headers = json.dumps({"Authorization": f"Bearer {server_token}"})
            children.append(
                spawn(
                    [
                        str(mcpo),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(mcpo_port),
                        "--server-type",
                        "streamable-http",
                        "--header",
                        headers,
                        "--",
                        mcp_url,
                    ],
                    {"LOG_LEVEL": "WARNING"},
                )
            )
            wait_http(f"http://127.0.0.1:{proxy_port}/readyz")
            wait_http(f"http://127.0.0.1:{mcpo_port}/openapi.json")
            auth = {"Authorization": f"Bearer {token}"}
            server_auth = {
                "Authorization": f"Bearer {server_token}",
                "Accept": "application/json, text/event-stream",
            }
            rpc = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                   "params": {"name": "echo", "arguments": {"text": "hello"}}}  # fmt: skip
            targets = {
                "MCP server, direct": (
                    mcp_port,
                    http_request("/mcp", rpc, server_auth),
                ),
                "mcp-rest-api-proxy": (
                    proxy_port,
                    http_request(
                        "/api/v1/mcp/bench/tools/echo", {"arguments": {"text": "hello"}}, auth
                    ),
                ),
                f"mcpo {MCPO_VERSION}": (mcpo_port, http_request("/echo", {"text": "hello"}, {})),
            }
            for name, (port, request) in targets.items():
                check = _load(port, request, 1, 0.2, 0.0)
                if check["errors"] or not check["samples"]:
                    raise RuntimeError(f"{name} does not answer the benchmark call with 200")
            # Interleaved rounds, so a burst of other work on the machine hits every path.
            per_round = seconds / rounds
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
            for index in range(rounds):
                order = (
                    list(targets)[index % len(targets) :] + list(targets)[: index % len(targets)]
                )
                for name in order:
                    port, request = targets[name]
                    runs[name].append(load(port, request, clients, per_round, warmup))
            results = {name: merge(parts, seconds) for name, parts in runs.items()}
        finally:
            for child in children:
                child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
    return results


def render(results: dict[str, Any], clients: int, seconds: float, rounds: int) -> str:
    """A Markdown section with the numbers and the ratios."""
    ours = results["mcp-rest-api-proxy"]
    mcpo = next(v for k, v in results.items() if k.startswith("mcpo"))
    lines = [
        MARK,
        "## REST proxy versus mcpo (`bench/rest_proxy.py`)",
        "",
        f"Same MCP server (create_server: JWT verification, embedded policy, one `echo` tool), "
        f"{clients} concurrent keep-alive clients for {seconds:g} s per path ({rounds} "
        f"interleaved rounds, each after a warm-up), all on 127.0.0.1; one process per proxy; "
        f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}. Logging at WARNING "
        "everywhere. Target: at least 1.5x mcpo's throughput with a p99 no worse.",
        "",
        "| path | calls/s | p50 (ms) | p99 (ms) | errors |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['rate']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |"
        )
    lines += [
        "",
        f"Proxy / mcpo: throughput x{ours['rate'] / mcpo['rate']:.2f}, "
        f"p99 {ours['p99']:.1f} ms vs {mcpo['p99']:.1f} ms. The proxy verifies each caller's "
        "token, asks the policy, checks the arguments against the tool's schema and sends the "
        "caller's token exchanged for the server's (RFC 8693, cached: the server sees the real "
        "user, the proxy as actor); mcpo forwards one static "
        "header for everyone.",
        "",
        "Re-run: `uv run python bench/rest_proxy.py --write docs/benchmarks.md`.",
        MARK,
    ]
    return "\n".join(lines)


def main() -> None:
    """Run and print (and optionally record) the benchmark."""
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-mcp":
        serve_mcp(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--write", type=Path, help="Markdown file to update")
    args = parser.parse_args()
    if not 1 <= args.clients <= 256 or not 1 <= args.seconds <= 60 or not 1 <= args.rounds <= 20:
        parser.error("clients 1..256, seconds 1..60, rounds 1..20 (a bounded benchmark)")
    results = run(args.clients, args.seconds, args.warmup, args.rounds)
    publish(render(results, args.clients, args.seconds, args.rounds), MARK, args.write)


if __name__ == "__main__":
    main()
