"""`TasksExtension` on a real platform server over HTTP, with an in-memory TaskStore.

The store runs the tool body in the background and keeps its result: enough to specify
the protocol half (capability, creation, gating, visibility, errors) without Temporal.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastmcp.tools.base import ToolResult

from mcp_common import CommonSettings, Principal, Toolset
from mcp_common.server import create_server
from mcp_common.tasks import StartWork, TaskNotFound, TasksExtension, TaskStore, TaskView
from mcp_common.testing import StaticAuthorizer, StaticSecretStore, StaticVerifier
from simulator_kit.serve import free_port

ALICE = Principal("alice", frozenset({"network-engineers"}), mfa=True)
BOB = Principal("bob", frozenset({"network-engineers"}))
ROOT = Principal("root", frozenset({"admin"}))
TOKENS = {"alice-token": ALICE, "bob-token": BOB, "root-token": ROOT}
TASKS = "io.modelcontextprotocol/tasks"
_ids = itertools.count(1)


class MemoryTaskStore:
    """Runs the tool in the background; holds owner, status and result in memory."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}
        self.cancelled: list[tuple[str, str]] = []

    @property
    def tools(self) -> frozenset[str]:
        return frozenset({"slow_sum"})

    async def create(self, tool: str, owner: Principal, start: StartWork) -> TaskView:
        task_id = f"task-{len(self.tasks) + 1}"
        entry: dict[str, Any] = {"owner": owner.subject, "status": "working", "result": None}
        self.tasks[task_id] = entry

        async def run() -> None:
            answer = await start()
            assert isinstance(answer, ToolResult)
            entry["result"] = {
                "content": [c.model_dump(mode="json") for c in answer.content],
                "structuredContent": answer.structured_content,
                "isError": False,
            }
            entry["status"] = "completed"

        entry["runner"] = asyncio.create_task(run())
        return await self.get(task_id)

    async def get(self, task_id: str) -> TaskView:
        entry = self.tasks.get(task_id)
        if entry is None:
            raise TaskNotFound(task_id)
        now = datetime.now(UTC)
        return TaskView(
            task_id=task_id,
            owner=entry["owner"],
            status=entry["status"],
            created_at=now,
            last_updated_at=now,
            ttl_ms=60_000,
            poll_interval_ms=50,
            result=entry["result"],
        )

    async def update(self, task_id: str, responses: Mapping[str, Any], caller: Principal) -> None:
        return None

    async def cancel(self, task_id: str, caller: Principal) -> None:
        self.cancelled.append((task_id, caller.subject))
        self.tasks[task_id]["status"] = "cancelled"


@pytest.fixture(scope="module")
def server(serve: Any) -> tuple[str, MemoryTaskStore]:
    ts = Toolset("demo")

    @ts.tool(action="read")
    async def slow_sum(a: int, b: int) -> int:
        """Adds, slowly."""
        await asyncio.sleep(0.2)
        return a + b

    port = free_port()
    settings = CommonSettings(
        port=port,
        oidc_issuer="http://127.0.0.1:1",
        oidc_audience="test",
        secrets_backend="file",
        secrets_file="unused.json",
        service_name="demo",
    )
    platform = create_server(
        settings,
        name="demo-server",
        resource="demo",
        toolsets=[ts],
        verifier=StaticVerifier(TOKENS),
        authorizer=StaticAuthorizer(),
        secrets=StaticSecretStore({}),
        rate_limiter=None,
    )
    store = MemoryTaskStore()
    assert isinstance(store, TaskStore)
    platform.mcp.add_extension(TasksExtension(store))
    return f"{serve(platform.http_app(), port).url}/mcp", store


async def rpc(
    url: str,
    method: str,
    params: dict[str, Any],
    *,
    token: str = "alice-token",
    tasks: bool = True,
    name: str | None = None,
) -> dict[str, Any]:
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"extensions": {TASKS: {}}} if tasks else {},
    }
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": method,
    }
    routed = name or params.get("taskId") or params.get("name")
    if routed:
        headers["Mcp-Name"] = routed
    body = {
        "jsonrpc": "2.0",
        "id": next(_ids),
        "method": method,
        "params": {**params, "_meta": meta},
    }
    async with httpx.AsyncClient(timeout=10) as client:
        answer: dict[str, Any] = (await client.post(url, json=body, headers=headers)).json()
    return answer


async def create(url: str) -> str:
    answer = await rpc(url, "tools/call", {"name": "slow_sum", "arguments": {"a": 2, "b": 3}})
    result = answer["result"]
    assert result["resultType"] == "task" and result["status"] == "working"
    assert {"taskId", "createdAt", "lastUpdatedAt", "ttlMs", "pollIntervalMs"} <= set(result)
    assert "result" not in result and "error" not in result
    task_id: str = result["taskId"]
    return task_id


async def test_the_capability_is_advertised(server: tuple[str, MemoryTaskStore]) -> None:
    answer = await rpc(server[0], "server/discover", {})
    assert answer["result"]["capabilities"]["extensions"][TASKS] == {}


async def test_a_task_is_created_at_once_and_its_result_inlined_when_done(
    server: tuple[str, MemoryTaskStore],
) -> None:
    url, _ = server
    task_id = await create(url)
    for _ in range(100):
        task = (await rpc(url, "tasks/get", {"taskId": task_id}))["result"]
        if task["status"] == "completed":
            break
        assert task["status"] == "working"
        await asyncio.sleep(0.05)
    assert task["resultType"] == "complete"
    assert task["result"]["structuredContent"] == {"result": 5}
    assert "error" not in task and "inputRequests" not in task


async def test_without_the_extension_the_tool_answers_synchronously(
    server: tuple[str, MemoryTaskStore],
) -> None:
    answer = await rpc(
        server[0], "tools/call", {"name": "slow_sum", "arguments": {"a": 1, "b": 1}}, tasks=False
    )
    assert answer["result"]["structuredContent"] == {"result": 2}
    assert answer["result"].get("resultType") != "task"


@pytest.mark.parametrize("method", ["tasks/get", "tasks/cancel", "tasks/update"])
async def test_tasks_methods_need_the_extension_declared(
    server: tuple[str, MemoryTaskStore], method: str
) -> None:
    params: dict[str, Any] = {"taskId": "task-1"}
    if method == "tasks/update":
        params["inputResponses"] = {}
    answer = await rpc(server[0], method, params, tasks=False)
    assert answer["error"]["code"] == -32021
    assert answer["error"]["data"] == {"requiredCapabilities": {"extensions": {TASKS: {}}}}


async def test_only_the_owner_and_admins_see_a_task(server: tuple[str, MemoryTaskStore]) -> None:
    url, store = server
    task_id = await create(url)
    unknown = await rpc(url, "tasks/get", {"taskId": "task-999"})
    foreign = await rpc(url, "tasks/get", {"taskId": task_id}, token="bob-token")
    assert unknown["error"]["code"] == foreign["error"]["code"] == -32602
    assert foreign["error"]["message"] == unknown["error"]["message"].replace("task-999", task_id)
    refused = await rpc(url, "tasks/cancel", {"taskId": task_id}, token="bob-token")
    assert refused["error"]["code"] == -32602 and store.cancelled == []
    assert "result" in await rpc(url, "tasks/get", {"taskId": task_id}, token="root-token")


async def test_cancel_reaches_the_store_and_a_terminal_task_is_just_acknowledged(
    server: tuple[str, MemoryTaskStore],
) -> None:
    url, store = server
    task_id = await create(url)
    ack = await rpc(url, "tasks/cancel", {"taskId": task_id})
    assert ack["result"] == {
        "resultType": "complete",
        **{k: v for k, v in ack["result"].items() if k == "_meta"},
    }
    assert store.cancelled == [(task_id, "alice")]
    again = await rpc(url, "tasks/cancel", {"taskId": task_id})
    assert again["result"]["resultType"] == "complete"
    assert store.cancelled == [(task_id, "alice")]  # terminal: not asked twice


async def test_a_routing_header_naming_another_task_is_refused(
    server: tuple[str, MemoryTaskStore],
) -> None:
    answer = await rpc(server[0], "tasks/get", {"taskId": "task-1"}, name="task-2")
    assert answer["error"]["code"] == -32020
