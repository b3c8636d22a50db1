"""The MCP tasks extension on the wire (2026-07-28, stateless JSON-RPC), for tests.

Raw requests, so each test says exactly what the client declared and what came back.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx

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
) -> dict[str, Any]:
    """One JSON-RPC request; the whole response (`result` or `error`).

    The client declares the tasks extension (`tasks`) and form elicitation (`elicitation`).
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


async def get_task(url: str, token: str, task_id: str) -> dict[str, Any]:
    """tasks/get's result (fails the test on an error)."""
    answer = await rpc(url, token, "tasks/get", {"taskId": task_id})
    assert "result" in answer, answer
    result: dict[str, Any] = answer["result"]
    return result


async def until(
    url: str, token: str, task_id: str, *statuses: str, within: float = 60
) -> dict[str, Any]:
    """Poll tasks/get until the task is in one of `statuses`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        task = await get_task(url, token, task_id)
        if task["status"] in statuses:
            return task
        if loop.time() > deadline:
            raise AssertionError(f"task never reached {statuses}: {task}")
        await asyncio.sleep(0.1)
