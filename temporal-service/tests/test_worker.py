"""The worker process: durable across a SIGKILL in the middle of a deployment.

The worker runs as `python -m temporal_service.worker` in a subprocess, with its client
secret in OpenBao (AppRole login, the temporal-worker policy), like `make up` runs it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from dev_idp.identities import subject_for
from mcp_common.errors import ConfigurationError
from mcp_common.testing import StaticSecretStore
from platform_launcher.openbao import OpenBaoDevServer
from simulator_kit.network import DEVICES
from temporal_service.models import DeploymentRequest, Timings
from temporal_service.settings import WorkflowSettings
from temporal_service.worker import build_worker, worker_secret
from temporal_service.workflows import TemplateDeploymentWorkflow

from .conftest import NTP_PARAMS, NTP_TEMPLATE, ROOT, Platform, workflow_settings
from .fakes import FakePlatformTools

DEPLOY = "POST /dna/intent/api/v2/template-programmer/template/deploy"
DEPLOY_STATUS = "/dna/intent/api/v1/template-programmer/template/deploy/status"


class WorkerProcess:
    """`python -m temporal_service.worker` with the given environment; killable."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "temporal_service.worker"],
                env={**os.environ, **self.env},
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no graceful shutdown, the activity is lost mid-flight
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def worker_process(
    platform: Platform, openbao: OpenBaoDevServer, policy_path: Path, tmp_path: Path
) -> Iterator[tuple[WorkerProcess, Any]]:
    settings = workflow_settings(platform, policy_path)
    openbao.seed({"api/temporal-worker": {"client_secret": platform.idp.secret("temporal-worker")}})
    hcl = (ROOT / "common-services/vault/policies/temporal-worker.hcl").read_text()
    role_id, secret_id = openbao.enable_approle(
        "temporal-worker", ["temporal-worker"], {"temporal-worker": hcl}
    )
    env = {
        "MCP_OIDC_ISSUER": platform.idp.issuer,
        "MCP_OIDC_AUDIENCE": platform.idp.audience,
        "MCP_VAULT_ADDR": openbao.addr,
        "MCP_VAULT_AUTH": "approle",
        "MCP_VAULT_ROLE_ID": role_id,
        "MCP_VAULT_SECRET_ID": secret_id,
        "MCP_TEMPORAL_ADDRESS": settings.temporal_address,
        "MCP_TEMPORAL_TASK_QUEUE": settings.temporal_task_queue,
        "MCP_CATALYST_CENTER_URL": platform.cc_mcp,
        "MCP_SERVICENOW_URL": platform.sn_mcp,
        "MCP_LOG_LEVEL": "WARNING",
        "MCP_WORKER_STICKY_TIMEOUT_SECONDS": "1",
    }
    process = WorkerProcess(env, tmp_path / "worker.log")
    yield process, settings
    process.stop()


async def test_a_worker_killed_mid_deployment_resumes_and_one_change_exists(
    platform: Platform, worker_process: tuple[WorkerProcess, Any]
) -> None:
    process, settings = worker_process
    platform.sim(platform.cc_sim, "POST", "/sandbox/reset")
    # The first look at the deployment's status hangs for 4 s: the worker dies meanwhile.
    platform.sim(
        platform.cc_sim,
        "POST",
        "/sandbox/faults",
        {"path_prefix": DEPLOY_STATUS, "delay": 4, "count": 1},
    )
    process.start()
    target = next(d for d in DEVICES if d.hostname == "par-acc-01")
    request = DeploymentRequest(
        template_id=NTP_TEMPLATE,
        device_ids=[target.id],
        reason="NTP change for durability",
        requested_by=subject_for("network-engineer-mfa"),
        requester_name="network-engineer-mfa",
        params=NTP_PARAMS,
        version=2,
        timings=Timings(
            approval_poll_initial_seconds=0.2,
            approval_poll_max_seconds=0.5,
            deploy_timeout_seconds=60,
            deploy_heartbeat_timeout_seconds=2,
        ),
        # The engineer's token, as the workflows server puts it in the request.
        delegation=platform.token("network-engineer-mfa", platform.wf_mcp),
    )
    client: Client = platform.env.client
    workflow_id = "template-deployment-durability-0001"
    handle = await client.start_workflow(
        TemplateDeploymentWorkflow.run,
        request,
        id=workflow_id,
        task_queue=settings.temporal_task_queue,
    )
    number = await wait_for_authorize(platform, workflow_id)
    platform.sim(platform.sn_sim, "POST", f"/sandbox/changes/{number}/approve")
    await wait_for(lambda: deploys(platform) >= 1, "the deployment to start")
    process.kill()
    process.start()
    result = await asyncio.wait_for(handle.result(), 60)
    assert result.status == "completed", result
    changes = platform.changes(workflow_id)
    assert len(changes) == 1
    assert changes[0]["close_code"]["value"] == "successful"
    # The lost attempt is retried: the same version, the same configuration, pushed again.
    assert deploys(platform) == 2
    deployed = platform.sim(platform.cc_sim, "GET", "/sandbox/deployed")[target.id]
    assert deployed["templates"]["NTP-Servers"]["version"] == 2


def deploys(platform: Platform) -> int:
    stats = platform.sim(platform.cc_sim, "GET", "/sandbox/stats")
    return int(stats["requests_by_method"].get(DEPLOY, 0))


async def wait_for(check: Any, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not await asyncio.to_thread(check):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def wait_for_authorize(platform: Platform, workflow_id: str) -> str:
    found: list[str] = []

    def authorized() -> bool:
        rows = platform.changes(workflow_id)
        if rows and rows[0]["state"]["display_value"] == "Authorize":
            found.append(rows[0]["number"]["value"])
            return True
        return False

    await wait_for(authorized, "the change to await the CAB")
    return found[0]


async def test_the_secret_comes_from_the_settings_first_then_the_store() -> None:
    common = {
        "oidc_issuer": "http://127.0.0.1:1",
        "oidc_audience": "a",
        "secrets_backend": "file",
        "secrets_file": "/dev/null",
    }
    given = WorkflowSettings(worker_client_secret="from-settings", **common)
    assert await worker_secret(given, None)() == "from-settings"
    stored = WorkflowSettings(**common)
    store = StaticSecretStore({"api/temporal-worker": {"client_secret": "from-vault"}})
    assert await worker_secret(stored, store)() == "from-vault"
    with pytest.raises(ConfigurationError, match="has no client_secret"):
        await worker_secret(stored, StaticSecretStore({"api/temporal-worker": {"x": "y"}}))()
    with pytest.raises(ConfigurationError, match="MCP_WORKER_CLIENT_SECRET"):
        worker_secret(stored, None)


async def test_build_worker_needs_a_task_queue(platform: Platform) -> None:
    with pytest.raises(ValueError, match="task_queue"):
        build_worker(platform.env.client, FakePlatformTools(), task_queue="")


def test_worker_without_a_secret_exits_with_a_clear_message(platform: Platform) -> None:
    env = {
        **os.environ,
        "MCP_OIDC_ISSUER": platform.idp.issuer,
        "MCP_OIDC_AUDIENCE": "a",
        "MCP_SECRETS_BACKEND": "file",
        "MCP_SECRETS_FILE": "/nonexistent/secrets.json",
    }
    done = subprocess.run(
        [sys.executable, "-m", "temporal_service.worker"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert b"client secret is unavailable" in done.stdout + done.stderr
