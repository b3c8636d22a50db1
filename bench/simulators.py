"""The backend simulators must not be a benchmark's bottleneck: list requests/s per simulator.

Starts each simulator as the launcher does (`python -m <simulator> --port ...`, one process,
the same listener as in `make up`), logs in once, then 16 closed-loop keep-alive clients ask
for its main list (devices, incidents, repositories, a RADKit service's inventory) for a few
seconds, from a separate process. Reports requests/s, p99 and the simulator's CPU per request
(/proc/<pid>/stat): one process uses at most one core, so requests/s at <= 100% CPU is the
one-core figure.
Run: `uv run python bench/simulators.py [--seconds 5] [--write docs/benchmarks.md]`.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from harness import free_port, wait_http
from load import closed_step, cpu_seconds
from report import publish

MARK = "<!-- simulators -->"
PASSWORD = "bench-Pa55word"


def get(path: str, headers: dict[str, str]) -> bytes:
    """A keep-alive HTTP/1.1 GET."""
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def catalyst_center(port: int) -> bytes:
    """Log in; the device list request."""
    url = f"http://127.0.0.1:{port}"
    token = httpx.post(f"{url}/dna/system/api/v1/auth/token", auth=("admin", PASSWORD)).json()
    return get("/dna/intent/api/v1/network-device?limit=50", {"X-Auth-Token": token["Token"]})


def servicenow(_: int) -> bytes:
    """The incident list request (basic auth)."""
    basic = base64.b64encode(f"integration:{PASSWORD}".encode()).decode()
    return get("/api/now/table/incident?sysparm_limit=20", {"Authorization": f"Basic {basic}"})


def github(_: int) -> bytes:
    """The repository list request."""
    return get("/user/repos?per_page=30", {"Authorization": f"Bearer {PASSWORD}"})


def radkit(port: int) -> bytes:
    """Log in to the relay (the default service and client); the inventory request."""
    from radkit_simulator.app import DEFAULT_CLIENT_ID, DEFAULT_SERVICE_ID

    ids = {"service_id": DEFAULT_SERVICE_ID, "client_id": DEFAULT_CLIENT_ID}
    body = {**ids, "client_secret": PASSWORD}
    token = httpx.post(f"http://127.0.0.1:{port}/api/login", json=body).json()["token"]
    return get(f"/api/services/{DEFAULT_SERVICE_ID}/inventory",
               {"Authorization": f"Bearer {token}"})  # fmt: skip


SIMULATORS: dict[str, tuple[list[str], dict[str, str], Any, str]] = {
    "catalyst-center": (["-m", "catalyst_center_simulator", "--username", "admin"],
                        {"CATALYST_CENTER_PASSWORD": PASSWORD}, catalyst_center, "/sandbox/health"),
    "servicenow": (["-m", "servicenow_simulator", "--username", "integration"],
                   {"SN_SANDBOX_PASSWORD": PASSWORD, "SN_SANDBOX_CLIENT_SECRET": PASSWORD},
                   servicenow, "/sandbox/health"),
    # The primary rate limit (5,000 an hour, as GitHub's) would be the benchmark's subject.
    "github": (["-m", "github_simulator", "--core-limit", "10000000"],
               {"GITHUB_SANDBOX_TOKEN": PASSWORD}, github,
               "/sandbox/health"),
    "radkit": (["-m", "radkit_simulator"], {"RADKIT_SANDBOX_CLIENT_SECRET": PASSWORD}, radkit,
               "/sandbox/health"),
}  # fmt: skip


def run(seconds: float) -> dict[str, Any]:
    """Each simulator in turn."""
    results = {}
    for name, (args, env, request_of, health) in SIMULATORS.items():
        port = free_port()
        child = subprocess.Popen(
            [sys.executable, *args, "--port", str(port)], env={**os.environ, **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_http(f"http://127.0.0.1:{port}{health}")
            request = request_of(port)
            closed_step(port, request, 4, 1.0)  # warm-up, and the answer must be 200
            before = cpu_seconds([child.pid])
            started = time.monotonic()
            step = closed_step(port, request, 16, seconds)
            wall = time.monotonic() - started
            cpu = cpu_seconds([child.pid]) - before
            step["cpu_ms"] = cpu * 1000 / max(1, step["rate"] * seconds)
            step["cpu_share"] = cpu / wall
            # One core's worth of this CPU cost (robust to other work on the machine).
            step["per_core"] = 1000 / max(0.001, step["cpu_ms"])
            results[name] = step
            print(name, step, flush=True)
        finally:
            child.terminate()
            child.wait(timeout=10)
    return results


def render(results: dict[str, Any], seconds: float) -> str:
    """The Markdown section."""
    lines = [
        MARK,
        "## Simulators (`bench/simulators.py`)",
        "",
        f"One simulator process each, 16 closed-loop keep-alive clients for {seconds:g} s on "
        f"its main list; {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d %H:%M')}. Target: >= 1,000 list requests/s on one core.",
        "",
        "| simulator | requests/s | p99 (ms) | errors | CPU ms/request | requests/s per core |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['rate']:,.0f} | {r['p99']:.1f} | {r['errors']} | "
                     f"{r['cpu_ms']:.2f} | {r['per_core']:,.0f} |")  # fmt: skip
    lines += ["", "Re-run: `uv run python bench/simulators.py --write docs/benchmarks.md`.", MARK]
    return "\n".join(lines)


def main() -> None:
    """Run and print (and optionally record) the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    publish(render(run(args.seconds), args.seconds), MARK, args.write)


if __name__ == "__main__":
    main()
