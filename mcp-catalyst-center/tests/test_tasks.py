"""deploy_template and run_show_commands as MCP tasks (SEP-2663), through the whole chain.

Two servers share the real Redis, as two worker processes or replicas would: a task created
on one is followed on the other. The Catalyst Center simulator runs in this process so a
test can hold its backend task (`hang_next_task`) and let it go again (`release`): every
state a test looks at is reached on purpose, never by timing.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from catalyst_center_simulator import create_catalyst_center_app
from dev_idp import IdpServer
from dev_idp.identities import subject_for
from mcp_catalyst_center import CatalystCenterSettings, build
from mcp_common.tasks import RedisTaskRecords, TaskRecord
from platform_launcher.openbao import OpenBaoDevServer
from platform_testkit import ServerStack, start_server_stack
from platform_testkit.tasks import call_tool, get_task, rpc, until
from simulator_kit.network import DEVICES
from simulator_kit.serve import BackgroundServer

from .conftest import SIM_PASSWORD, SIM_USER, Simulator
from .test_read_cache import device_lists
from .test_server import NTP_PARAMS, NTP_TEMPLATE

ENGINEER = "network-engineer-mfa"
HOSTS = {d.hostname: d.id for d in DEVICES}
TARGETS = [HOSTS["par-acc-01"], HOSTS["par-acc-02"], HOSTS["lon-acc-01"]]
DEPLOY = {"template_id": NTP_TEMPLATE, "device_ids": TARGETS, "params": NTP_PARAMS}
COMMANDS = {"device_ids": TARGETS[:2], "commands": ["show version", "show clock"]}
CC_TASK = re.compile(r"Catalyst Center task ([0-9a-fA-F-]{36})")
TERMINAL = ("completed", "failed", "cancelled")


class Backend:
    """The simulator, served here, with its state at hand to let a held task go."""

    def __init__(self) -> None:
        self.app: Starlette = create_catalyst_center_app(
            username=SIM_USER, password=SIM_PASSWORD, task_polls=2
        )
        self.server = BackgroundServer(self.app).start()
        self.sim = Simulator(self.server.url)

    def release(self, task_id: str) -> None:
        """The held (`hang_next_task`) backend task completes at its next poll."""
        state = self.app.state.cc
        with state.locked():
            state.tasks[task_id].hang = False


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    running = Backend()
    yield running
    running.server.stop()


def start(backend: Backend, idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path,
          redis_url: str, **settings: Any) -> ServerStack:  # fmt: skip
    overrides = {"task_poll_interval": 0.05, "task_timeout": 30.0, "redis_url": redis_url,
                 **settings}  # fmt: skip
    return start_server_stack(
        backend.sim.url, backend.sim.secret(), CatalystCenterSettings, build,
        simulator=backend.sim, idp=idp, openbao=openbao, policy_path=policy_path,
        overrides=overrides,
    )  # fmt: skip


@pytest.fixture(scope="module")
def servers(
    backend: Backend, idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path, redis_url: str
) -> Iterator[tuple[ServerStack, ServerStack]]:
    with (
        start(backend, idp, openbao, policy_path, redis_url) as one,
        start(backend, idp, openbao, policy_path, redis_url) as two,
    ):
        yield one, two


async def create(server: ServerStack, tool: str, arguments: dict[str, Any]) -> str:
    created = await call_tool(server.url, server.token(ENGINEER), tool, arguments)
    assert (created["resultType"], created["status"]) == ("task", "working"), created
    assert {"taskId", "createdAt", "lastUpdatedAt", "ttlMs", "pollIntervalMs"} <= set(created)
    assert created["pollIntervalMs"] == 1000  # MCP_TASKS_POLL_INTERVAL_SECONDS's default
    task_id: str = created["taskId"]
    return task_id


async def held(server: ServerStack, task_id: str) -> tuple[dict[str, Any], str]:
    """The task once it waits on its (held) Catalyst Center task; that task's id."""
    task = await until(
        server.url, server.token(ENGINEER), task_id,
        lambda t: CC_TASK.search(t.get("statusMessage") or "") is not None,
    )  # fmt: skip
    match = CC_TASK.search(task["statusMessage"])
    assert match is not None
    return task, match.group(1)


async def finished(server: ServerStack, task_id: str) -> dict[str, Any]:
    return await until(
        server.url, server.token(ENGINEER), task_id, lambda t: t["status"] in TERMINAL
    )


async def test_a_deployment_task_shows_progress_on_any_server_and_ends_with_its_result(
    backend: Backend, servers: tuple[ServerStack, ServerStack]
) -> None:
    one, two = servers
    backend.sim.hang_next_task()
    task_id = await create(one, "deploy_template", DEPLOY)
    # Created on one, followed on two: the state is in Redis.
    working, cc_task = await held(two, task_id)
    assert working["status"] == "working"
    assert working["statusMessage"].startswith(f"0/3 devices done: Catalyst Center task {cc_task}")
    backend.release(cc_task)
    done = await finished(two, task_id)
    assert done["status"] == "completed", done
    assert done["statusMessage"] == "completed" and "error" not in done
    result = done["result"]
    assert result["isError"] is False
    deployment = result["structuredContent"]
    assert (deployment["status"], deployment["succeeded"], deployment["task_id"]) == (
        "SUCCESS", 3, cc_task,
    )  # fmt: skip
    assert {d["hostname"] for d in deployment["devices"]} == {"par-acc-01", "par-acc-02",
                                                             "lon-acc-01"}  # fmt: skip
    assert deployment["deployment_id"] in str(backend.sim.deployed())


async def test_reads_cached_while_a_deployment_task_runs_are_fresh_again_once_it_ends(
    backend: Backend, idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path, redis_url: str
) -> None:
    read = {"limit": 5, "family": "Switches and Hubs"}
    with start(backend, idp, openbao, policy_path, redis_url, tool_cache=True) as server:
        backend.sim.hang_next_task()
        task_id = await create(server, "deploy_template", DEPLOY)
        _, cc_task = await held(server, task_id)
        before = device_lists(backend.sim)
        for _ in range(2):  # the call answered at once; the deployment still runs
            await call_tool(server.url, server.token(ENGINEER), "list_devices", read, tasks=False)
        assert device_lists(backend.sim) == before + 1  # the second read came from the cache
        backend.release(cc_task)
        assert (await finished(server, task_id))["status"] == "completed"
        await call_tool(server.url, server.token(ENGINEER), "list_devices", read, tasks=False)
        assert device_lists(backend.sim) == before + 2  # the end of the deployment dropped them


async def test_a_command_run_task_ends_with_the_outputs_and_only_its_owner_sees_it(
    backend: Backend, servers: tuple[ServerStack, ServerStack]
) -> None:
    one, _ = servers
    backend.sim.hang_next_task()
    task_id = await create(one, "run_show_commands", COMMANDS)
    working, cc_task = await held(one, task_id)
    assert "runs 2 command(s)" in working["statusMessage"]
    someone_else = await rpc(one.url, one.token("network-engineer"), "tasks/get",
                             {"taskId": task_id})  # fmt: skip
    unknown = await rpc(one.url, one.token(ENGINEER), "tasks/get", {"taskId": "nope-1"})
    assert someone_else["error"]["code"] == unknown["error"]["code"] == -32602
    backend.release(cc_task)
    done = await finished(one, task_id)
    assert done["status"] == "completed", done
    outputs = done["result"]["structuredContent"]
    assert (outputs["task_id"], outputs["succeeded"], outputs["failed"]) == (cc_task, 4, 0)
    assert "Cisco IOS XE Software" in outputs["devices"][0]["results"][0]["output"]


async def test_a_client_without_tasks_gets_the_result_in_the_answer(
    servers: tuple[ServerStack, ServerStack],
) -> None:
    one, _ = servers
    answer = await call_tool(one.url, one.token(ENGINEER), "run_show_commands", COMMANDS,
                             tasks=False)  # fmt: skip
    assert answer.get("resultType") != "task" and answer["isError"] is False
    assert answer["structuredContent"]["succeeded"] == 4


async def test_a_synchronous_call_with_a_progress_token_answers_as_usual(
    servers: tuple[ServerStack, ServerStack],
) -> None:
    one, _ = servers  # progress notifications are best effort: they never hold the answer
    params = {"name": "deploy_template", "arguments": DEPLOY}
    answer = await rpc(one.url, one.token(ENGINEER), "tools/call", params, tasks=False,
                       meta={"progressToken": "deploy-1"})  # fmt: skip
    assert answer["result"]["structuredContent"]["status"] == "SUCCESS", answer


async def test_cancelling_a_command_run_task_ends_it_cancelled(
    backend: Backend, servers: tuple[ServerStack, ServerStack]
) -> None:
    one, _ = servers
    backend.sim.hang_next_task()  # never let go: only the cancel ends the task
    task_id = await create(one, "run_show_commands", COMMANDS)
    await held(one, task_id)
    ack = await rpc(one.url, one.token(ENGINEER), "tasks/cancel", {"taskId": task_id})
    assert ack["result"]["resultType"] == "complete"
    done = await finished(one, task_id)
    assert done["status"] == "cancelled"
    assert done["statusMessage"] == "cancelled through tasks/cancel"
    assert "result" not in done and "error" not in done


async def test_a_submitted_deployment_refuses_cancel_and_says_why(
    backend: Backend, servers: tuple[ServerStack, ServerStack]
) -> None:
    one, two = servers
    backend.sim.hang_next_task()
    task_id = await create(one, "deploy_template", DEPLOY)
    _, cc_task = await held(one, task_id)
    ack = await rpc(two.url, two.token(ENGINEER), "tasks/cancel", {"taskId": task_id})
    assert ack["result"]["resultType"] == "complete"  # acknowledged, and refused:
    refused = await get_task(one.url, one.token(ENGINEER), task_id)
    assert refused["status"] == "working"
    assert refused["statusMessage"].endswith(
        "cancel refused: the deployment was submitted to Catalyst Center, which cannot recall "
        "it; the outcome follows"
    )
    backend.release(cc_task)
    assert (await finished(one, task_id))["status"] == "completed"


async def test_a_task_whose_server_restarted_fails_naming_the_catalyst_center_task(
    backend: Backend,
    servers: tuple[ServerStack, ServerStack],
    idp: IdpServer,
    openbao: OpenBaoDevServer,
    policy_path: Path,
    redis_url: str,
) -> None:
    _, two = servers
    backend.sim.hang_next_task()
    with start(backend, idp, openbao, policy_path, redis_url) as leaving:
        task_id = await create(leaving, "deploy_template", DEPLOY)
        _, cc_task = await held(leaving, task_id)
    # That server stopped (a redeploy): any other one answers for the task.
    failed = await get_task(two.url, two.token(ENGINEER), task_id)
    message = (
        f"the server restarted before the task finished; Catalyst Center task {cc_task} may "
        f"have finished: see get_task(task_id='{cc_task}')"
    )
    assert (failed["status"], failed["statusMessage"]) == ("failed", message)
    assert failed["error"] == {"code": -32603, "message": message}
    backend.release(cc_task)


async def test_a_task_whose_server_died_fails_once_its_lease_ends(
    servers: tuple[ServerStack, ServerStack], redis_url: str
) -> None:
    import redis.asyncio as redis

    one, _ = servers
    task_id = f"deploy_template-{uuid.uuid4()}"
    records = RedisTaskRecords(redis.Redis.from_url(redis_url), namespace="mcp-catalyst-center")
    now = time.time()
    # What a killed server process leaves in Redis: a working task, its lease not renewed.
    await records.add(
        TaskRecord(
            task_id=task_id, tool="deploy_template",
            owner=subject_for(ENGINEER), status="working", created_at=now - 120,
            updated_at=now - 90, ttl_ms=600_000, poll_interval_ms=50,
            holder="mcp-cc-7f9c:1:gone", lease_until=now - 30,
            message="0/3 devices done: Catalyst Center task 5f0e", backend_job=(
                "Catalyst Center task 5f0e"), backend_hint="see get_task(task_id='5f0e')",
        )
    )  # fmt: skip
    await records.aclose()
    failed = await get_task(one.url, one.token(ENGINEER), task_id)
    assert failed["status"] == "failed"
    assert failed["statusMessage"] == (
        "the server restarted before the task finished; Catalyst Center task 5f0e may have "
        "finished: see get_task(task_id='5f0e')"
    )


async def test_past_the_bound_on_running_tasks_a_call_gets_a_clear_error(
    backend: Backend, idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path,
    redis_url: str,
) -> None:  # fmt: skip
    backend.sim.hang_next_task()
    with start(backend, idp, openbao, policy_path, redis_url, tasks_max_running=1) as small:
        task_id = await create(small, "run_show_commands", COMMANDS)
        _, cc_task = await held(small, task_id)
        refused = await call_tool(small.url, small.token(ENGINEER), "run_show_commands",
                                  COMMANDS)  # fmt: skip
        assert refused.get("resultType") != "task" and refused["isError"] is True
        assert refused["content"][0]["text"] == (
            "this server process already runs 1 tasks, the most it allows "
            "(MCP_TASKS_MAX_RUNNING); retry when one has finished"
        )
        backend.release(cc_task)
        assert (await finished(small, task_id))["status"] == "completed"
