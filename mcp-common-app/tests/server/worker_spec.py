"""A server declared for the worker-process tests: `SERVER`, importable by its workers."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from mcp_common import CommonSettings, Toolset
from mcp_common.server import ServerSpec

__all__ = ["SERVER"]


class NoBackend:
    """The demo server has no backend to call."""

    async def aclose(self) -> None:
        """Nothing to release."""


def _tools(_: NoBackend, __: CommonSettings) -> list[Toolset]:
    ts = Toolset("workers")

    @ts.tool(action="read")
    async def which_worker(pause: float = 0.0) -> dict[str, Any]:
        """Which process answered (after `pause` seconds, to overlap calls)."""
        await asyncio.sleep(min(pause, 2.0))
        return {"pid": os.getpid()}

    return [ts]


SERVER = ServerSpec(
    name="workers-demo",
    resource="github",
    settings=CommonSettings,
    instructions="Worker process tests.",
    client=lambda settings, secrets, metrics: NoBackend(),
    toolsets=_tools,
)
