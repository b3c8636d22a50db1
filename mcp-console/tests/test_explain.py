"""Tool errors explained: denied (which action on which resource), rate limited (when to
retry), backend down (which one)."""

from __future__ import annotations

from mcp_common.client import McpCallError
from mcp_console.explain import explain


def test_denied_names_the_action_and_the_resource() -> None:
    error = McpCallError(
        "denied: mfa required", kind="denied", server="catalyst-center",
        action="write", resource="catalyst-center",
    )  # fmt: skip
    text = explain(error)
    assert text.title == "Not allowed"
    assert "write on catalyst-center" in text.detail and "second factor" in text.advice


def test_rate_limited_says_when_to_retry() -> None:
    error = McpCallError("slow down", kind="rate_limited", server="github", retry_after=2.2)
    text = explain(error)
    assert text.advice == "Retry in 3 seconds." and text.retry_after == 2.2


def test_backend_down_names_the_server_and_retry_time() -> None:
    error = McpCallError(
        "servicenow unavailable", kind="backend_unavailable", server="servicenow", retry_after=1
    )
    text = explain(error)
    assert "behind servicenow" in text.detail and "in 1 second;" in text.advice


def test_an_unreachable_server_and_a_plain_failure() -> None:
    down = explain(McpCallError("unreachable", kind="unavailable", server="radkit"))
    assert down.title == "Service unavailable" and "radkit did not answer" in down.detail
    assert explain(McpCallError("boom", kind="tool_error", server="x")).title == "The tool failed"
