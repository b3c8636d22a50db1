"""List the tools of every platform MCP server and call one read tool on each, with
`langchain-mcp-adapters`' MultiServerMCPClient (one session per server via `client.session`).

Usage: MCP_TOKEN=$(make token ID=admin) python check_servers.py [--endpoints FILE]
       [--call server=tool:{"arg": 1}]
Prints one JSON report; exits 1 when a server could not be listed or called.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from langchain_mcp_adapters.client import MultiServerMCPClient
from mcp.types import Tool
from platform_config import connections, load_endpoints, token

__all__ = ["check", "pick_read_tool"]


def pick_read_tool(tools: list[Tool]) -> Tool | None:
    """The first tool marked read-only that needs no argument."""
    for tool in tools:
        read_only = bool(tool.annotations and tool.annotations.readOnlyHint)
        if read_only and not tool.inputSchema.get("required"):
            return tool
    return None


async def check_server(
    client: MultiServerMCPClient, name: str, chosen: tuple[str, dict[str, Any]] | None
) -> dict[str, Any]:
    """List, then call one read tool on one server."""
    report: dict[str, Any] = {"tools": [], "called": None, "ok": False}
    try:
        async with client.session(name) as session:
            tools = (await session.list_tools()).tools
            report["tools"] = [t.name for t in tools]
            if chosen is None:
                tool = pick_read_tool(tools)
                if tool is None:
                    report["error"] = "no read tool without arguments; use --call"
                    return report
                chosen = (tool.name, {})
            result = await session.call_tool(chosen[0], chosen[1])
            report["called"] = chosen[0]
            report["ok"] = not result.isError
            report["result"] = result.structuredContent or [
                getattr(c, "text", str(c)) for c in result.content
            ]
    except Exception as exc:  # a report line per server, whatever happened
        report["error"] = f"{type(exc).__name__}: {exc}"[:300]
    return report


async def check(
    endpoints: dict[str, Any], bearer: str, calls: dict[str, tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """Every server's report, checked concurrently."""
    client = MultiServerMCPClient(connections(endpoints, bearer))
    names = list(endpoints["servers"])
    reports = await asyncio.gather(*(check_server(client, n, calls.get(n)) for n in names))
    return dict(zip(names, reports, strict=True))


def _call(value: str) -> tuple[str, tuple[str, dict[str, Any]]]:
    server, _, rest = value.partition("=")
    tool, _, args = rest.partition(":")
    return server, (tool, json.loads(args) if args else {})


def main() -> None:
    """Run the check and print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoints", help="endpoints.json (default: .platform/endpoints.json)")
    parser.add_argument("--call", action="append", type=_call, default=[])
    args = parser.parse_args()
    report = asyncio.run(check(load_endpoints(args.endpoints), token(), dict(args.call)))
    print(json.dumps(report, indent=2, default=str))
    sys.exit(0 if all(r["ok"] for r in report.values()) else 1)


if __name__ == "__main__":
    main()
