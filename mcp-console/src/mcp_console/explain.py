"""Tool errors in words a person can act on, from the kind the server put in `_meta`
(`io.mcp-platform/error`, read by `mcp_common.client.McpCallError`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mcp_common.client import McpCallError

__all__ = ["Explanation", "explain"]


@dataclass(frozen=True, slots=True)
class Explanation:
    """A headline, what it means, and what to do."""

    kind: str
    title: str
    detail: str
    advice: str
    retry_after: float | None = None


def _seconds(value: float | None) -> str:
    if value is None:
        return "in a little while"
    seconds = max(1, math.ceil(value))
    return f"in {seconds} second{'s' if seconds != 1 else ''}"


def explain(error: McpCallError) -> Explanation:
    """The explanation of one failed call."""
    server, message = error.server, str(error)
    kind = error.kind
    if kind == "denied":
        action = error.action or "this action"
        resource = error.resource or server
        return Explanation(
            kind,
            "Not allowed",
            f"The policy does not let you {action} on {resource}. {message}",
            "Ask for the group that grants it, or sign in again with your second factor "
            "if the action needs MFA.",
        )
    if kind == "rate_limited":
        return Explanation(
            kind,
            "Too many requests",
            f"{server} is limiting calls. {message}",
            f"Retry {_seconds(error.retry_after)}.",
            error.retry_after,
        )
    if kind == "backend_unavailable":
        return Explanation(
            kind,
            "Backend unavailable",
            f"The system behind {server} is not answering (its circuit breaker is open). {message}",
            f"Nothing was sent. Retry {_seconds(error.retry_after)}; the status page shows "
            "when it recovers.",
            error.retry_after,
        )
    if kind in ("unavailable", "timeout", "upstream_error"):
        return Explanation(
            kind,
            "Service unavailable",
            f"{server} did not answer. {message}",
            "Check the platform status page; retry when it is ready again.",
            error.retry_after,
        )
    if kind in ("invalid_arguments", "invalid_input"):
        return Explanation(
            kind, "Input refused", message, "Correct the highlighted values and call again."
        )
    if kind == "unknown_tool":
        return Explanation(
            kind, "Tool not available", message, "The tool list may have changed; reload it."
        )
    if kind == "unauthorized":
        return Explanation(
            kind, "Not signed in for this server", message, "Sign out and sign in again."
        )
    return Explanation(
        kind, "The tool failed", message, "Read the message; retry if it looks temporary."
    )
