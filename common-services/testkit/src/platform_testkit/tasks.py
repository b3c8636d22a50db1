"""The MCP tasks extension (SEP-2663, 2026-07-28) on the wire, for tests: raw JSON-RPC.

Each request says exactly what the client declared (`tasks=True`: the extension in the
request's client capabilities), so a test reads as the protocol exchange it specifies.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

import httpx

__all__ = ["TASKS", "VERSION", "call_tool", "get_task", "rpc", "until"]

TASKS = "io.modelcontextprotocol/tasks"
VERSION = "2026-07-28"
_ids = itertools.count(1)


async def rpc(
    url: str,
    token: str,
    method: str,
    params: dict[str, Any],
    *,
    tasks: bool = True,
    elicitation: bool = False,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One JSON-RPC request; the whole response (`result` or `error`).

    The client declares the tasks extension (`tasks`) and form elicitation (`elicitation`);
    `meta` adds to `_meta` (a progressToken, say).
    """
    capabilities: dict[str, Any] = {"extensions": {TASKS: {}}} if tasks else {}
    if elicitation:
        capabilities["elicitation"] = {"form": {}}
    body = {
        "jsonrpc": "2.0",
        "id": next(_ids),
        "method": method,
        "params": {
            **params,
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": VERSION,
                "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": capabilities,
                **(meta or {}),
            },
        },
    }
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": VERSION,
        "Mcp-Method": method,
    }
    name = params.get("taskId") or params.get("name")
    if isinstance(name, str):
        headers["Mcp-Name"] = name
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(url, json=body, headers=headers)
    # JSON-RPC errors may come with a 4xx status; the body is what counts.
    assert response.status_code in (200, 400, 404), (response.status_code, response.text)
    answer: dict[str, Any] = response.json()
    return answer


async def call_tool(
    url: str, token: str, tool: str, arguments: dict[str, Any], *, tasks: bool = True
) -> dict[str, Any]:
    """`tools/call`'s result: a CreateTaskResult when the server made it a task."""
    answer = await rpc(url, token, "tools/call", {"name": tool, "arguments": arguments},
                       tasks=tasks)  # fmt: skip
    assert "result" in answer, answer
    result: dict[str, Any] = answer["result"]
    return result


async def get_task(url: str, token: str, task_id: str) -> dict[str, Any]:
    """tasks/get's result (fails the test on an error)."""
    answer = await rpc(url, token, "tasks/get", {"taskId": task_id})
    assert "result" in answer, answer
    result: dict[str, Any] = answer["result"]
    return result


async def until(
    url: str,
    token: str,
    task_id: str,
    done: Callable[[dict[str, Any]], bool],
    *,
    within: float = 30,
    every: float = 0.02,
) -> dict[str, Any]:
    """Poll tasks/get every `every` s until `done(task)`; AssertionError after `within` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        task = await get_task(url, token, task_id)
        if done(task):
            return task
        if loop.time() > deadline:
            raise AssertionError(f"the task never got there: {task}")
        await asyncio.sleep(every)
