"""error_result: a failed tool call as MCP clients receive it, with a machine-readable kind.

The result is `isError` with the human message as its text, and the error's kind and details
in `_meta["io.mcp-platform/error"]`, so a client tells a denial from a backend failure
without parsing the message.
"""

from __future__ import annotations

from typing import Any

import mcp_types as mt
import pytest
from fastmcp.tools.base import ToolResult

from mcp_common.server import ERROR_KINDS, ERROR_META, error_result


def error_info(result: ToolResult) -> Any:
    """What the result's `_meta` says about the error."""
    assert result.meta is not None
    return result.meta[ERROR_META]


def test_the_result_is_an_error_whose_only_content_is_the_message_unchanged() -> None:
    message = "Access denied: action 'write' on resource 'demo'\n(tool 'change')"
    result = error_result(message, "denied")
    assert result.is_error is True
    assert result.content == [mt.TextContent(type="text", text=message)]
    assert result.structured_content is None


def test_the_kind_and_its_details_are_in_the_meta_under_the_platform_key() -> None:
    result = error_result("denied", "denied", action="write", resource="demo")
    assert result.meta == {ERROR_META: {"kind": "denied", "action": "write", "resource": "demo"}}


def test_details_that_are_none_are_left_out_and_falsy_values_are_kept() -> None:
    result = error_result("failed", "upstream_error", status=None, retry_after=0, reason="")
    assert error_info(result) == {"kind": "upstream_error", "retry_after": 0, "reason": ""}


def test_on_the_wire_the_client_reads_is_error_and_the_kind_from_meta() -> None:
    wire = error_result("slow down", "rate_limited", retry_after=30).to_mcp_result()
    assert isinstance(wire, mt.CallToolResult)  # plain content could not carry isError
    body = wire.model_dump(by_alias=True, mode="json", exclude_none=True)
    assert body["isError"] is True
    assert body["content"] == [{"type": "text", "text": "slow down"}]
    assert body["_meta"] == {"io.mcp-platform/error": {"kind": "rate_limited", "retry_after": 30}}


def test_every_published_kind_can_be_expressed() -> None:
    for kind in sorted(ERROR_KINDS):
        assert error_info(error_result("failed", kind)) == {"kind": kind}


@pytest.mark.parametrize("kind", ["timeout", "Denied", "tool-error", ""])
def test_a_kind_outside_the_published_ones_is_refused_naming_it(kind: str) -> None:
    with pytest.raises(ValueError, match=f"unknown error kind {kind!r}"):
        error_result("failed", kind)
