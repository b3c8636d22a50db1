"""Worker processes (MCP_WORKERS=2) of one server, started as `make up`'s launcher would:
/metrics adds up every worker's counts, and rate limits are shared through Redis.

A real server process with real JWTs from the dev issuer and the real policy; the tool says
which worker answered, so the tests can see both took calls.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from dev_idp import IdpServer
from simulator_kit.serve import free_port

HERE = Path(__file__).resolve().parent
SUCCESS = re.compile(
    r'^mcp_tool_call_duration_seconds_count\{status="success",tool="which_worker"\} (\S+)$', re.M
)


def start(idp: IdpServer, policy_path: Path, tmp: Path, **env: str) -> Iterator[str]:
    port = free_port()
    (tmp / "secrets.json").write_text("{}")
    environment = {
        **os.environ,
        "PYTHONPATH": str(HERE),
        "MCP_SERVICE_NAME": f"workers-demo-{port}",
        "MCP_PORT": str(port),
        "MCP_WORKERS": "2",
        "MCP_OIDC_ISSUER": idp.issuer,
        "MCP_OIDC_AUDIENCE": idp.audience,
        "MCP_POLICY_PATH": str(policy_path),
        "MCP_SECRETS_BACKEND": "file",
        "MCP_SECRETS_FILE": str(tmp / "secrets.json"),
        "MCP_LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp / "metrics"),
        **env,
    }
    environment.pop("MCP_REDIS_URL", None) if "MCP_REDIS_URL" not in env else None
    process = subprocess.Popen(
        [sys.executable, "-c", "import worker_spec; worker_spec.SERVER.main()"], env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # three interpreters start (busy CI machines)
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            time.sleep(0.2)
        else:
            pytest.fail("the 2-worker server did not become ready")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


async def calls(url: str, token: str, n: int) -> list[dict[str, Any]]:
    """`n` overlapping calls, each on its own connection (so both workers accept some)."""

    async def one(i: int) -> dict[str, Any]:
        body = {"jsonrpc": "2.0", "id": i, "method": "tools/call",
                "params": {"name": "which_worker", "arguments": {"pause": 0.3}}}  # fmt: skip
        headers = {"Authorization": f"Bearer {token}",
                   "Accept": "application/json, text/event-stream"}  # fmt: skip
        async with httpx.AsyncClient(timeout=20) as client:
            answer = await client.post(f"{url}/mcp", json=body, headers=headers)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()["result"]
        return result

    return await asyncio.gather(*(one(i) for i in range(n)))


@pytest.fixture(scope="module")
def two_workers(
    idp: IdpServer, policy_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("workers")
    yield from start(idp, policy_path, tmp, MCP_RATE_LIMIT_PER_MINUTE="0")


@pytest.fixture(scope="module")
def limited_workers(
    idp: IdpServer, policy_path: Path, tmp_path_factory: pytest.TempPathFactory, redis_url: str
) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("limited")
    yield from start(idp, policy_path, tmp, MCP_RATE_LIMIT_PER_MINUTE="5", MCP_REDIS_URL=redis_url)


async def test_metrics_add_up_across_worker_processes(two_workers: str, idp: IdpServer) -> None:
    results = await calls(two_workers, idp.token("developer"), 24)
    pids = {json.loads(r["content"][0]["text"])["pid"] for r in results}
    assert len(pids) == 2, "both workers should have served calls"
    # Whichever worker answers the scrape, it reports every worker's calls.
    for _ in range(4):
        async with httpx.AsyncClient(timeout=5) as client:  # a new connection: any worker
            text = (await client.get(f"{two_workers}/metrics")).text
        counted = SUCCESS.search(text)
        assert counted is not None, text[:2000]
        assert float(counted.group(1)) == 24


async def test_rate_limits_are_shared_by_the_workers_through_redis(
    limited_workers: str, idp: IdpServer, redis_url: str
) -> None:
    token = idp.token("developer")
    subject = json.loads(__import__("base64").urlsafe_b64decode(token.split(".")[1] + "=="))["sub"]
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"mcp:rl:{subject}:which_worker:*"):
        client.delete(key)  # counts of an earlier run in the same minute
    results = await calls(limited_workers, token, 12)
    served = [r for r in results if not r.get("isError")]
    limited = [r for r in results if r.get("isError")]
    pids = {json.loads(r["content"][0]["text"])["pid"] for r in served}
    # 5 per minute for this caller and tool, whichever worker takes the call: with a count
    # per process, two workers would have let up to 10 through.
    assert len(served) == 5 and len(limited) == 7
    assert all("rate limit" in r["content"][0]["text"].lower() for r in limited)
    assert pids  # served by the workers (which ones is the kernel's choice)
