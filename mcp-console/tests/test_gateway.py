"""Every MCP call carries the person's token exchanged for that server (RFC 8693): the
server's resource as `aud`, the person as `sub`, the console as actor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dev_idp import IdpServer
from dev_idp.identities import subject_for

from .console_stack import Stack, catalyst_center, workflows


@pytest.fixture
def stack(idp: IdpServer) -> Iterator[Stack]:
    stack = Stack(idp, [catalyst_center(), workflows({"execution_status": "RUNNING"})])
    with stack.client:
        stack.sign_in("network-engineer")
        yield stack


def test_each_server_gets_a_token_of_its_own_naming_the_person_and_the_console(
    stack: Stack,
) -> None:
    stack.client.get("/tools")
    for name, server in stack.servers.items():
        [claims] = server.seen
        assert claims["aud"] == f"http://{name}.test/mcp"
        assert claims["sub"] == subject_for("network-engineer")
        assert claims["act"]["sub"] == "mcp-console"


def test_exchanged_tokens_are_reused_while_fresh(stack: Stack) -> None:
    stack.client.get("/tools")
    stack.client.get("/tools")
    tokens = {c["jti"] for c in stack.servers["catalyst-center"].seen}
    assert len(tokens) == 1
