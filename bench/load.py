"""Open-loop load: many users, each on its own keep-alive connection, one call every interval.

Latency is counted from each call's *scheduled* send time (a late server delays the next
sends of the same user, and that wait counts), so queueing shows as it would for real users.
Scenarios:
  chain     the full chain (create_server + run_server: JWT, policy, audit at INFO, rate
            limiter on, through Redis when it runs on 127.0.0.1:6379, with a limit not hit)
            against a bare FastMCP server, as FastMCP runs it and with the platform's GC
            tuning (so the chain's own cost shows), the same trivial `echo` tool, 16
            closed-loop clients (the 0.9x target);
  platform  the platform as `make up` runs it (platform_launcher.LocalPlatform, audit at
            INFO, Redis when it runs on 127.0.0.1:6379), catalyst-center `list_devices`:
            capacity (closed loop), CPU per call that misses the cache, 1,000 users every
            2 s for 60 s, 3x capacity for 20 s (admitted or refused with 503 + Retry-After),
            recovery, and the REST proxy under the same 1,000 users.
CPU per call: utime + stime from /proc/<pid>/stat of the server's processes (workers too),
over the calls of the step. The load generator runs in its own process.
Run: `uv run python bench/load.py [--scenario all|chain|platform] [--write docs/benchmarks.md]`.
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
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from harness import free_ports, spawn, wait_http
from report import publish

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "common-services" / "opa" / "policy.rego"
MARK = "<!-- load -->"
TUNED = "bare FastMCP + the platform's GC tuning"
TICKS = os.sysconf("SC_CLK_TCK")


# --- CPU of a process tree -----------------------------------------------------------------
def tree(pid: int) -> list[int]:
    """`pid` and its descendants (worker processes)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the processes (seconds)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


# --- the load generator (child process) ----------------------------------------------------
async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes, bool]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, retry_after = 0, False
    for line in head.split(b"\r\n"):
        lower = line[:15].lower()
        if lower == b"content-length:":
            length = int(line[15:])
        elif lower.startswith(b"retry-after:"):
            retry_after = True
    body = await reader.readexactly(length)
    return status, body, retry_after


Phase = tuple[str, float, float]  # name, interval between one user's calls (s), seconds


async def _user(
    port: int, requests: list[bytes], offset: float, phases: list[Phase], start: float,
    out: list[Any],
) -> None:  # fmt: skip
    """One user on one keep-alive connection through every phase, one call per interval.

    In each phase the user's calls are scheduled at `offset` (a fraction of the interval,
    spreading users evenly) plus whole intervals from the phase's start; a call whose time
    has come while the previous one is still unanswered goes as soon as it is answered.
    Each record: (phase, scheduled time from the phase's start, latency from the scheduled
    time, outcome, the generator's own lag (send time minus the later of the scheduled time
    and the previous answer: the load generator short of CPU), service time (from the
    actual send)).
    """
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    k = 0
    answered = 0.0
    phase_start = start
    for name, interval, seconds in phases:
        end = phase_start + seconds
        scheduled = phase_start + offset * interval
        while scheduled < end:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            request = requests[k % len(requests)]
            k += 1
            sent = time.perf_counter()
            lag = sent - max(scheduled, answered)
            try:
                if conn is None:
                    conn = await asyncio.open_connection("127.0.0.1", port)
                    conn[1].get_extra_info("socket").setsockopt(
                        socket.IPPROTO_TCP, socket.TCP_NODELAY, 1
                    )
                status, body, retry_after = await _exchange(conn[0], conn[1], request)
                if status == 200 and b'"isError":true' not in body:
                    outcome = "ok"
                elif status == 503 and retry_after:
                    outcome = "refused"
                else:
                    outcome = "error"
            except (OSError, asyncio.IncompleteReadError, ValueError):
                if conn is not None:
                    conn[1].close()
                conn, outcome = None, "error"
            answered = time.perf_counter()
            out.append((name, scheduled - phase_start, answered - scheduled, outcome, lag,
                        answered - sent))  # fmt: skip
            scheduled += interval
        phase_start = end
    if conn is not None:
        conn[1].close()


def _open_loop(
    port: int, requests: list[bytes], users: int, phases: list[Phase]
) -> tuple[float, list[Any]]:
    """Run the users through the phases; (the first phase's start, the records)."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass

    async def run() -> tuple[float, list[Any]]:
        out: list[Any] = []
        start = time.perf_counter() + 0.5
        # Users spread evenly over the interval, each with its own request mix offset.
        await asyncio.gather(*(
            _user(port, requests[i % len(requests):] + requests[: i % len(requests)],
                  i / users, phases, start, out)
            for i in range(users)
        ))  # fmt: skip
        return start, out

    return asyncio.run(run())


def _closed_loop(port: int, request: bytes, clients: int, seconds: float) -> dict[str, Any]:
    async def client(deadline: float, out: list[float], errors: list[int]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (start := time.perf_counter()) < deadline:
            status, body, _ = await _exchange(reader, writer, request)
            if status == 200 and b'"isError":true' not in body:
                out.append(time.perf_counter() - start)
            else:
                errors.append(status)
        writer.close()

    async def run() -> dict[str, Any]:
        samples: list[float] = []
        errors: list[int] = []
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(client(deadline, samples, errors) for _ in range(clients)))
        return {"samples": samples, "errors": len(errors)}

    return asyncio.run(run())


def in_child(fn: Any, *args: Any) -> Any:
    """Run the load in its own process (its CPU is not the server's)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def quantiles(values: list[float]) -> tuple[float, float]:
    """p50 and p99 in ms."""
    if len(values) < 2:
        return (values[0] * 1000, values[0] * 1000) if values else (0.0, 0.0)
    qs = statistics.quantiles(values, n=100)
    return qs[49] * 1000, qs[98] * 1000


def open_steps(
    port: int, requests: list[bytes], users: int, phases: list[Phase], pids: list[int]
) -> list[dict[str, Any]]:
    """Open-loop phases on the same connections: each phase's latency, outcomes and server CPU.

    The load runs in a child process; this one samples the server's CPU meanwhile, so each
    phase's CPU per answered call is read off the samples at its start and end.
    """
    samples: list[tuple[float, float]] = []
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pending = pool.apply_async(_open_loop, (port, requests, users, phases))
        while not pending.ready():
            samples.append((time.perf_counter(), cpu_seconds(pids)))
            pending.wait(0.2)
        start, records = pending.get()
    samples.append((time.perf_counter(), cpu_seconds(pids)))

    def cpu_at(t: float) -> float:
        before = [cpu for at, cpu in samples if at <= t]
        return before[-1] if before else samples[0][1]

    results, phase_start = [], start
    for name, interval, seconds in phases:
        cpu = cpu_at(phase_start + seconds) - cpu_at(phase_start)
        phase_start += seconds
        results.append(summarize(name, users, interval, seconds, cpu,
                                 [r[1:] for r in records if r[0] == name]))  # fmt: skip
    return results


def open_step(
    name: str, port: int, requests: list[bytes], users: int, interval: float, seconds: float,
    pids: list[int],
) -> dict[str, Any]:  # fmt: skip
    """One open-loop step (fresh connections)."""
    return open_steps(port, requests, users, [(name, interval, seconds)], pids)[0]


def summarize(
    name: str, users: int, interval: float, seconds: float, cpu: float, records: list[Any]
) -> dict[str, Any]:
    """One phase's outcomes, latency (from the scheduled time) and server CPU per answer."""
    ok = [r[1] for r in records if r[2] == "ok"]
    refused = [r[1] for r in records if r[2] == "refused"]
    errors = sum(1 for r in records if r[2] == "error")
    generator_lag_p99 = quantiles([r[3] for r in records])[1]
    # From the actual send: what the server (and the network) took, without the wait for
    # the same user's previous answer.
    service_p99 = quantiles([r[4] for r in records if r[2] != "error"])[1]
    refused_service = [r[4] for r in records if r[2] == "refused"]
    p50, p99 = quantiles(ok)
    result = {
        "step": name, "users": users, "interval": interval, "seconds": seconds,
        "sent": len(records), "ok": len(ok), "refused": len(refused), "errors": errors,
        "rate": len(ok) / seconds, "p50": p50, "p99": p99,
        "refused_p99": quantiles(refused)[1] if refused else None,
        "refused_max": max(refused) * 1000 if refused else None,
        "refused_service_p99": quantiles(refused_service)[1] if refused else None,
        "cpu_ms_per_call": cpu * 1000 / max(1, len(ok) + len(refused)),
        "generator_lag_p99": generator_lag_p99,
        "service_p99": service_p99,
        "records": records,
    }  # fmt: skip
    print(
        f"{name}: sent {result['sent']}, ok {result['ok']}, refused {result['refused']}, "
        f"errors {errors}, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"503 p99 {result['refused_p99'] or 0:.1f} ms (from send "
        f"{result['refused_service_p99'] or 0:.1f}), from send p99 {service_p99:.1f} ms, "
        f"generator lag p99 {generator_lag_p99:.1f} ms, "
        f"cpu {result['cpu_ms_per_call']:.2f} ms/call",
        flush=True,
    )
    return result


def closed_step(port: int, request: bytes, clients: int, seconds: float) -> dict[str, Any]:
    """Closed-loop throughput (calls/s) and latency."""
    raw = in_child(_closed_loop, port, request, clients, seconds)
    p50, p99 = quantiles(raw["samples"])
    return {"rate": len(raw["samples"]) / seconds, "p50": p50, "p99": p99,
            "errors": raw["errors"]}  # fmt: skip


def http_request(path: str, body: dict[str, Any], token: str, *, mcp: bool = True) -> bytes:
    """A keep-alive HTTP/1.1 POST, ready to send again and again."""
    payload = json.dumps(body).encode()
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {len(payload)}", f"Authorization: Bearer {token}"]  # fmt: skip
    if mcp:
        lines.append("Accept: application/json, text/event-stream")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def rpc(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A JSON-RPC tools/call."""
    return {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}}  # fmt: skip


# --- scenario: full chain vs bare FastMCP ---------------------------------------------------
def serve_chain(port: int, issuer: str, audience: str) -> None:
    """The full chain with a trivial tool, served as every platform server is (run_server)."""
    from echo import echo_toolset

    from mcp_common import CommonSettings, create_server
    from mcp_common.observability import configure_logging
    from mcp_common.server import run_server
    from mcp_common.testing import StaticSecretStore

    configure_logging("bench-chain", "INFO")
    ts = echo_toolset()
    # The rate limiter shared through Redis when it runs here (as the target says), with a
    # limit the benchmark does not hit.
    settings = CommonSettings(
        port=port, service_name="bench-chain", oidc_issuer=issuer, oidc_audience=audience,
        secrets_backend="file", secrets_file="unused", policy_path=str(POLICY),
        rate_limit_per_minute=10_000_000, redis_url=redis_url(), workers=1,
    )  # fmt: skip
    server = create_server(
        settings, name="bench", resource="github", toolsets=[ts], secrets=StaticSecretStore({})
    )
    run_server(server)


def redis_url() -> str | None:
    """Redis on 127.0.0.1:6379 when it answers (the platform's shared rate limiter)."""
    url = os.environ.get("MCP_REDIS_URL", "redis://127.0.0.1:6379/0")
    host, port = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=0.5).close()
    except OSError:
        return None
    return url


def serve_bare(port: int, tuned: bool = False) -> None:
    """A bare FastMCP server with the same tool, stateless JSON, as FastMCP runs it; `tuned`:
    with the platform's garbage-collector tuning (`tune_gc`), which run_server applies."""
    import uvicorn
    from fastmcp import FastMCP

    from mcp_common.server import tune_gc

    mcp: FastMCP[Any] = FastMCP("bare")

    @mcp.tool
    async def echo(text: str) -> dict[str, Any]:
        """Echo a text."""
        return {"text": text}

    app = mcp.http_app(stateless_http=True, json_response=True)
    if tuned:
        tune_gc()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def chain_scenario(seconds: float, rounds: int) -> dict[str, Any]:
    """Full chain / bare FastMCP throughput (bare as FastMCP runs it, and with the platform's
    GC tuning, so that the chain's own cost shows), 16 clients, interleaved rounds."""
    from dev_idp import IdpServer

    me = [sys.executable, str(Path(__file__).resolve())]
    children: list[subprocess.Popen[bytes]] = []
    with IdpServer(token_ttl=3600) as idp:
        try:
            chain_port, bare_port, tuned_port = free_ports(3)
            children.append(spawn([*me, "--serve-chain", str(chain_port), idp.issuer,
                                   idp.audience]))  # fmt: skip
            children.append(spawn([*me, "--serve-bare", str(bare_port)]))
            children.append(spawn([*me, "--serve-bare-tuned", str(tuned_port)]))
            wait_http(f"http://127.0.0.1:{chain_port}/readyz")
            token = idp.token("developer")
            call = rpc("echo", {"text": "hello"})
            targets = {
                "full chain (run_server)": (chain_port, http_request("/mcp", call, token),
                                            children[0].pid),
                "bare FastMCP": (bare_port, http_request("/mcp", call, token), children[1].pid),
                TUNED: (tuned_port, http_request("/mcp", call, token), children[2].pid),
            }  # fmt: skip
            time.sleep(2)
            for _, (port, request, _) in targets.items():
                closed_step(port, request, 4, 1.0)  # warm-up
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
            for index in range(rounds):
                names = list(targets)[index % 3 :] + list(targets)[: index % 3]
                for name in names:
                    port, request, pid = targets[name]
                    before = cpu_seconds(tree(pid))
                    step = closed_step(port, request, 16, seconds / rounds)
                    calls = step["rate"] * seconds / rounds
                    step["cpu_ms_per_call"] = (
                        (cpu_seconds(tree(pid)) - before) * 1000 / max(1, calls)
                    )
                    runs[name].append(step)
        finally:
            for child in children:
                child.terminate()
                child.wait(timeout=15)
    merged = {}
    for name, steps in runs.items():
        merged[name] = {
            "rate": statistics.fmean(s["rate"] for s in steps),
            "p50": statistics.fmean(s["p50"] for s in steps),
            "p99": max(s["p99"] for s in steps),
            "errors": sum(s["errors"] for s in steps),
            "cpu_ms_per_call": statistics.fmean(s["cpu_ms_per_call"] for s in steps),
        }
        print(name, merged[name], flush=True)
    return merged


# --- scenario: the platform as `make up` runs it ---------------------------------------------
def platform_scenario(quick: bool, workers: int | None) -> dict[str, Any]:
    """catalyst-center list_devices through the launcher's platform, and the REST proxy."""
    from platform_launcher.platform import LocalPlatform, PlatformPorts

    os.environ.setdefault("MCP_RATE_LIMIT_PER_MINUTE", "10000000")  # on, never hit
    if workers is not None:  # as `MCP_WORKERS=N make up` runs it: N per service
        os.environ["MCP_WORKERS"] = str(workers)
    state = Path(tempfile.mkdtemp(prefix="bench-platform-"))
    local = LocalPlatform(ports=PlatformPorts.free(), state_dir=state, say=lambda _: None)
    results: dict[str, Any] = {"steps": []}
    try:
        endpoints = local.start()
        cc_url = endpoints["servers"]["catalyst-center"]
        cc_port = int(cc_url.rsplit(":", 1)[1].split("/")[0])
        server_pids = tree(local.processes["mcp-catalyst-center"].pid)
        sim_pids = tree(local.processes["sandbox-catalyst-center"].pid)

        def token(resource: str, identity: str = "network-engineer") -> str:
            from dev_idp.identities import dev_secret

            answer = httpx.post(
                endpoints["token_endpoint"],
                data={"grant_type": "client_credentials", "resource": resource},
                auth=(identity, dev_secret(identity)),
                timeout=10,
            )
            answer.raise_for_status()
            return str(answer.json()["access_token"])

        cc_token = token(cc_url)
        families = ["Switches and Hubs", "Routers", "Wireless Controller"]
        reads = [
            http_request("/mcp", rpc("list_devices", {"family": f, "limit": n}), cc_token)
            for f in families for n in (5, 10, 20, 50)
        ]  # fmt: skip
        steps: list[dict[str, Any]] = results["steps"]
        steps.append(open_step("warm-up", cc_port, reads, 50, 1.0, 5, server_pids))
        capacity_seconds = 5 if quick else 10
        capacity = closed_step(cc_port, reads[0], 64, capacity_seconds)
        capacity["calls"] = round(capacity["rate"] * capacity_seconds)
        results["capacity"] = capacity
        print("capacity", capacity, flush=True)
        misses = [
            http_request("/mcp", rpc("list_devices", {"offset": 1 + k, "limit": 5}), cc_token)
            for k in range(3000)
        ]
        before_sim = cpu_seconds(sim_pids)
        miss = open_step("cache misses (distinct arguments)", cc_port, misses, 100, 1.0,
                         10, server_pids)  # fmt: skip
        miss["sim_cpu_ms_per_call"] = (
            (cpu_seconds(sim_pids) - before_sim) * 1000 / max(1, miss["ok"])
        )
        steps.append(miss)
        # The same 1,000 users on the same connections through three phases: every 2 s,
        # then each calling 3x as often as the server can answer them all (overload in
        # calls, not in new connections), then every 2 s again (recovery).
        over_rate = 3 * capacity["rate"]
        over_interval = 1000 / over_rate
        cc_token = token(cc_url)
        reads = [r.replace(r.split(b"Bearer ")[1].split(b"\r\n")[0], cc_token.encode())
                 for r in reads]  # fmt: skip
        phases: list[Phase] = [
            ("1,000 users every 2 s", 2.0, 20 if quick else 60),
            (f"overload: 3x capacity ({over_rate:,.0f} calls/s: 1,000 users every "
             f"{over_interval * 1000:.0f} ms)", over_interval, 20),
            ("recovery: 1,000 users every 2 s", 2.0, 15),
        ]  # fmt: skip
        steady, overload, recovery = open_steps(cc_port, reads, 1000, phases, server_pids)
        steps += [steady, overload]
        windows: dict[int, list[float]] = {}
        for sched, lat, outcome, *_ in recovery["records"]:
            if outcome == "ok":
                windows.setdefault(int(sched), []).append(lat)
        recovered = next(
            (s for s in sorted(windows)
             if all(quantiles(windows[w])[1] < 300 for w in sorted(windows) if w >= s)),
            None,
        )  # fmt: skip
        recovery["recovered_after_s"] = recovered
        steps.append(recovery)
        if "rest-api-proxy" in endpoints:
            proxy_url = endpoints["rest-api-proxy"]
            proxy_port = int(proxy_url.rsplit(":", 1)[1])
            proxy_pids = tree(local.processes["rest-api-proxy"].pid)
            # The policy opens the proxy to the groups that script against it (service desk,
            # developers); the service desk may read Catalyst Center.
            proxy_token = token(proxy_url, "service-desk")
            rest = [
                http_request("/api/v1/mcp/catalyst-center/tools/list_devices",
                             {"arguments": {"family": f, "limit": n}}, proxy_token, mcp=False)
                for f in families for n in (5, 10, 20, 50)
            ]  # fmt: skip
            open_step("REST proxy warm-up", proxy_port, rest, 50, 1.0, 3, proxy_pids)
            steps.append(open_step("REST proxy: 1,000 users every 2 s", proxy_port, rest, 1000,
                                   2.0, 20 if quick else 60, proxy_pids))  # fmt: skip
        log = (state / "logs" / "mcp-catalyst-center.log").read_bytes()
        lines = log.count(b"\n")
        results["log_lines"] = lines
        results["calls_total"] = capacity["calls"] + sum(s["ok"] + s["errors"] for s in steps)
    finally:
        local.stop()
    for step in results["steps"]:
        step.pop("records", None)
    return results


def max_in_flight() -> str:
    """The admission bound the platform ran with: the environment's, else the default."""
    from mcp_common import CommonSettings

    default = CommonSettings.model_fields["max_in_flight"].default
    return os.environ.get("MCP_MAX_IN_FLIGHT", str(default))


def render(chain: dict[str, Any] | None, plat: dict[str, Any] | None) -> str:
    """The Markdown section."""
    lines = [
        MARK,
        "## Open-loop load (`bench/load.py`)",
        "",
        f"{platform.machine()}, {os.cpu_count()} CPUs (shared with the load generator and, on "
        f"this machine, other work), Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M')}. uvloop + httptools (ADR 0008); the platform "
        f"with MCP_WORKERS={os.environ.get('MCP_WORKERS', '1')} worker process(es) per service "
        f"(`make up` runs 1) and MCP_MAX_IN_FLIGHT={max_in_flight()}.",
        "",
    ]
    if chain:
        full = chain["full chain (run_server)"]
        bare = chain["bare FastMCP"]
        lines += [
            "### Full chain versus bare FastMCP (trivial `echo` tool, 16 closed-loop clients; "
            f"the rate limiter {'through Redis' if redis_url() else 'in memory'})",
            "",
            "| server | calls/s | p50 (ms) | p99 (ms) | errors | CPU ms/call |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, r in chain.items():
            lines.append(f"| {name} | {r['rate']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
                         f"{r['errors']} | {r['cpu_ms_per_call']:.2f} |")  # fmt: skip
        tuned = chain[TUNED]
        lines += [
            "",
            f"Full chain / bare: x{full['rate'] / bare['rate']:.2f} (target >= 0.9). Full chain "
            f"/ bare with the platform's GC tuning: x{full['rate'] / tuned['rate']:.2f}; the "
            f"chain's own work (JWT, policy, rate limit, two log lines, metrics) costs "
            f"{full['cpu_ms_per_call'] - tuned['cpu_ms_per_call']:.2f} ms of CPU per call.",
            "",
        ]
    if plat:
        cap = plat["capacity"]
        lines += [
            "### catalyst-center `list_devices` through the platform (`make up`)",
            "",
            f"Closed-loop capacity (64 connections, cached reads): {cap['rate']:,.0f} calls/s, "
            f"p99 {cap['p99']:.0f} ms. Log lines of the server during the run: "
            f"{plat['log_lines']:,} for {plat['calls_total']:,} answered calls "
            f"({plat['log_lines'] / max(1, plat['calls_total']):.2f} a call, start-up included; "
            "a 503 writes none).",
            "",
            "| step | sent | ok | 503 | errors | ok calls/s | p50 (ms) | p99 (ms) | "
            "503 p99 / max (ms) | 503 from send p99 (ms) | generator lag p99 (ms) | "
            "server CPU ms/call |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for s in plat["steps"]:
            refused = (f"{s['refused_p99']:.1f} / {s['refused_max']:.1f}"
                       if s["refused_p99"] is not None else "-")  # fmt: skip
            lines.append(
                f"| {s['step']} | {s['sent']} | {s['ok']} | {s['refused']} | {s['errors']} | "
                f"{s['rate']:,.0f} | {s['p50']:.1f} | {s['p99']:.1f} | {refused} | "
                f"{s['refused_service_p99'] or 0:.1f} | {s['generator_lag_p99']:.1f} | "
                f"{s['cpu_ms_per_call']:.2f} |"
            )
        miss = next(s for s in plat["steps"] if s["step"].startswith("cache misses"))
        recovery = next(s for s in plat["steps"] if s["step"].startswith("recovery"))
        after = recovery["recovered_after_s"]
        recovered = (
            f"p99 under 300 ms in every 1-s window from {after} s after the overload"
            if after is not None
            else "p99 not under 300 ms in every 1-s window up to the end of the step"
        )
        lines += [
            "",
            f"Cache misses: server CPU {miss['cpu_ms_per_call']:.2f} ms per call (target <= 3), "
            f"simulator {miss['sim_cpu_ms_per_call']:.2f} ms. Recovery: {recovered}.",
            "",
            "Latency counts from each call's scheduled time: a user whose previous call is "
            "answered late sends its next one late, and that wait counts. `503 from send` is "
            "how long a refusal took from its actual send. `generator lag` is the load "
            "generator's own delay (send time minus the later of the scheduled time and the "
            "user's previous answer): the generator short of CPU on the shared cores.",
            "",
        ]
    lines += ["Re-run: `uv run python bench/load.py [--workers 2] --write docs/benchmarks.md`.",
              MARK]  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    """Run and print (and optionally record) the benchmark."""
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-chain":
        serve_chain(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        return
    if len(sys.argv) > 1 and sys.argv[1] in ("--serve-bare", "--serve-bare-tuned"):
        serve_bare(int(sys.argv[2]), tuned=sys.argv[1] == "--serve-bare-tuned")
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", choices=["all", "chain", "platform"], default="all")
    parser.add_argument("--seconds", type=float, default=20.0, help="chain: per server")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="shorter platform steps")
    parser.add_argument("--workers", type=int, help="platform: MCP_WORKERS for every service")
    parser.add_argument("--write", type=Path, help="Markdown file to update")
    args = parser.parse_args()
    chain = chain_scenario(args.seconds, args.rounds) if args.scenario != "platform" else None
    plat = platform_scenario(args.quick, args.workers) if args.scenario != "chain" else None
    publish(render(chain, plat), MARK, args.write)


if __name__ == "__main__":
    main()
