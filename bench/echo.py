"""The tool the MCP benchmarks serve: `echo`, a read that costs nothing, so what they measure
is the chain around it."""

from __future__ import annotations

from typing import Any

from mcp_common import Toolset

__all__ = ["echo_toolset"]


def echo_toolset() -> Toolset:
    """The `bench` toolset with its one tool, `echo`."""
    ts = Toolset("bench")

    @ts.tool(action="read")
    async def echo(text: str) -> dict[str, Any]:
        """Echo a text."""
        return {"text": text}

    return ts
