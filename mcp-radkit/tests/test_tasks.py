"""collect_diagnostics as an MCP task (SEP-2663), through the whole chain.

The RADKit simulator runs in this process: one device's request is held (`hang_next`) so the
task is seen part-way, one device done and one not, then let go (`release`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from dev_idp import IdpServer
from mcp_radkit import RadkitSettings, build
from mcp_radkit.diagnostics import BUNDLE
from platform_launcher.openbao import OpenBaoDevServer
from platform_testkit import ServerStack, start_server_stack
from platform_testkit.tasks import call_tool, until
from radkit_simulator import create_radkit_app
from simulator_kit.serve import BackgroundServer

from .conftest import CLIENT_ID, CLIENT_SECRET, SERVICE_ID, Simulator

ENGINEER = "network-engineer-mfa"
DEVICES = ["par-acc-01", "lon-core-01"]
PART_WAY = re.compile(
    r"^1/2 devices collected \(5/10 commands\): (par-acc-01|lon-core-01) SUCCESS "
    r"\(5/5 commands answered\)$"
)


class Backend:
    """The simulator, served here, with its state at hand to let a held request go."""

    def __init__(self) -> None:
        self.app: Starlette = create_radkit_app(
            service_id=SERVICE_ID, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, exec_polls=2
        )
        self.server = BackgroundServer(self.app).start()
        self.sim = Simulator(self.server.url)

    def release(self) -> None:
        """Every held exec request completes at its next poll."""
        for job in list(self.app.state.radkit.jobs.values()):
            job.hang = False


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    running = Backend()
    yield running
    running.server.stop()


@pytest.fixture(scope="module")
def server(
    backend: Backend, idp: IdpServer, openbao: OpenBaoDevServer, policy_path: Path
) -> Iterator[ServerStack]:
    with start_server_stack(
        backend.sim.url, backend.sim.secret(), RadkitSettings, build, simulator=backend.sim,
        idp=idp, openbao=openbao, policy_path=policy_path,
        overrides={"poll_interval": 0.05, "wait_margin": 1.0},
    ) as stack:  # fmt: skip
        yield stack


async def test_diagnostics_run_as_a_task_with_progress_per_device_to_the_report(
    backend: Backend, server: ServerStack
) -> None:
    token = server.token(ENGINEER)
    backend.sim.hang_next()  # the first device's request waits until released
    created = await call_tool(server.url, token, "collect_diagnostics", {"devices": DEVICES})
    assert (created["resultType"], created["status"]) == ("task", "working"), created
    task_id = created["taskId"]
    part_way = await until(
        server.url, token, task_id, lambda t: PART_WAY.match(t.get("statusMessage") or "")
        is not None,
    )  # fmt: skip
    assert part_way["status"] == "working"
    backend.release()
    done = await until(server.url, token, task_id, lambda t: t["status"] != "working")
    assert done["status"] == "completed", done
    report = done["result"]["structuredContent"]
    assert report["bundle"] == list(BUNDLE)
    assert [d["device"] for d in report["devices"]] == DEVICES  # in the order asked
    nexus = report["devices"][1]
    assert nexus["software_version"] == "10.3(4a)"
    assert nexus["findings"] == ["1 enabled interface(s) down: Ethernet1/3"]


async def test_without_tasks_the_report_comes_in_the_answer(server: ServerStack) -> None:
    answer = await call_tool(server.url, server.token(ENGINEER), "collect_diagnostics",
                             {"devices": DEVICES}, tasks=False)  # fmt: skip
    assert answer.get("resultType") != "task" and answer["isError"] is False
    assert [d["device"] for d in answer["structuredContent"]["devices"]] == DEVICES
