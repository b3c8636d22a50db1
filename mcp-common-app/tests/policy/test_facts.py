"""PolicyFacts: what a server looks up for a call joins the policy input; no facts, no call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from fastmcp import Client

from mcp_common import CommonSettings, Principal, Toolset
from mcp_common.auth import PlatformAccessToken
from mcp_common.errors import UpstreamError
from mcp_common.observability import PlatformMetrics
from mcp_common.policy import AuthorizationRequest, PolicyFacts
from mcp_common.secrets import SecretStore
from mcp_common.server import PlatformServer, ServerSpec
from mcp_common.testing import StaticAuthorizer, StaticSecretStore, StaticVerifier


class Backend:
    """A backend client that counts the calls that reached it."""

    def __init__(self, *_: Any) -> None:
        self.calls = 0

    async def aclose(self) -> None:
        pass


def tools(client: Backend, settings: CommonSettings) -> list[Toolset]:
    ts = Toolset("ops")

    @ts.tool(action="write")
    async def deploy(change_number: str) -> str:
        """Deploys."""
        client.calls += 1
        return f"deployed for {change_number}"

    return [ts]


class Facts:
    """Facts by tool; `error` raised instead when set. Records what it was asked."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.asked: list[tuple[str, str, dict[str, Any]]] = []
        self.closed = False

    async def facts(
        self, principal: Principal, tool: str, arguments: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        self.asked.append((principal.subject, tool, dict(arguments)))
        if self.error is not None:
            raise self.error
        return {"change": {"number": arguments.get("change_number"), "approval": "approved"}}

    async def aclose(self) -> None:
        self.closed = True


def settings() -> CommonSettings:
    return CommonSettings(
        oidc_issuer="http://127.0.0.1:1",
        oidc_audience="test",
        secrets_backend="file",
        secrets_file="unused.json",
    )


def approved(request: AuthorizationRequest) -> bool:
    change = request.policy_input().get("change")
    return request.tool != "deploy" or (
        isinstance(change, dict) and change.get("approval") == "approved"
    )


def spec(facts: Facts | None) -> ServerSpec[CommonSettings, Backend]:
    def make(s: CommonSettings, secrets: SecretStore, metrics: PlatformMetrics) -> PolicyFacts:
        assert facts is not None
        return facts

    return ServerSpec(
        name="ops",
        resource="ops",
        settings=CommonSettings,
        instructions="Deploys.",
        client=Backend,
        toolsets=tools,
        policy_facts=make if facts is not None else None,
    )


def build(facts: Facts | None, authorizer: StaticAuthorizer) -> PlatformServer:
    return spec(facts).build(
        settings(),
        verifier=StaticVerifier({}),
        authorizer=authorizer,
        secrets=StaticSecretStore({}),
    )


@pytest.fixture(autouse=True)
def alice(monkeypatch: pytest.MonkeyPatch) -> None:
    token = PlatformAccessToken(token="x", client_id="alice", scopes=[], subject="alice")
    token._principal = Principal("alice", actors=("temporal-worker",))
    monkeypatch.setattr("mcp_common.auth._fastmcp.get_access_token", lambda: token)


def test_a_facts_source_is_a_policy_facts() -> None:
    assert isinstance(Facts(), PolicyFacts)


async def test_the_server_s_facts_join_the_policy_input_of_each_call() -> None:
    facts, authorizer = Facts(), StaticAuthorizer(approved)
    platform = build(facts, authorizer)
    async with Client(platform.mcp) as client:
        answer = await client.call_tool("deploy", {"change_number": "CHG0001"})
    assert answer.data == "deployed for CHG0001"
    assert facts.asked == [("alice", "deploy", {"change_number": "CHG0001"})]
    [request] = [r for r in authorizer.requests if r.arguments]
    assert request.policy_input()["change"] == {"number": "CHG0001", "approval": "approved"}
    assert request.policy_input()["actors"] == ["temporal-worker"]


async def test_listing_tools_asks_no_facts() -> None:
    facts = Facts()
    async with Client(build(facts, StaticAuthorizer()).mcp) as client:
        assert {t.name for t in await client.list_tools()} == {"deploy"}
    assert facts.asked == []


async def test_without_facts_the_policy_input_has_none() -> None:
    authorizer = StaticAuthorizer(approved)
    platform = build(None, authorizer)
    async with Client(platform.mcp) as client:
        result = await client.call_tool(
            "deploy", {"change_number": "CHG0001"}, raise_on_error=False
        )
    assert result.is_error and result.content[0].text.startswith("Access denied")
    assert "change" not in authorizer.requests[-1].policy_input()


async def test_facts_that_cannot_be_read_refuse_the_call_naming_why() -> None:
    facts = Facts(UpstreamError("change CHG0001 cannot be checked: ServiceNow is unavailable",
                                backend="servicenow", kind="network"))  # fmt: skip
    authorizer = StaticAuthorizer()
    platform = build(facts, authorizer)
    async with Client(platform.mcp) as client:
        result = await client.call_tool(
            "deploy", {"change_number": "CHG0001"}, raise_on_error=False
        )
    assert result.is_error
    assert result.content[0].text == (
        "Access denied: action 'write' on resource 'ops' (tool 'deploy'): "
        "change CHG0001 cannot be checked: ServiceNow is unavailable"
    )
    assert platform.closers[0].calls == 0
    assert [r for r in authorizer.requests if r.arguments] == []  # never decided without


async def test_an_unexpected_facts_failure_refuses_without_its_text() -> None:
    platform = build(Facts(RuntimeError("password=hunter2")), StaticAuthorizer())
    async with Client(platform.mcp) as client:
        result = await client.call_tool(
            "deploy", {"change_number": "CHG0001"}, raise_on_error=False
        )
    text = result.content[0].text
    assert result.is_error and text.startswith("Access denied: action 'write'")
    assert "could not be read" in text and "hunter2" not in text
    assert platform.closers[0].calls == 0


async def test_the_facts_are_closed_with_the_server() -> None:
    facts = Facts()
    platform = build(facts, StaticAuthorizer())
    assert facts in platform.closers
    await platform.aclose()
    assert facts.closed


async def test_facts_given_to_build_replace_the_declared_ones() -> None:
    declared, given = Facts(), Facts()
    platform = spec(declared).build(
        settings(), verifier=StaticVerifier({}), authorizer=StaticAuthorizer(),
        secrets=StaticSecretStore({}), policy_facts=given,
    )  # fmt: skip
    async with Client(platform.mcp) as client:
        await client.call_tool("deploy", {"change_number": "CHG0001"})
    assert (len(declared.asked), len(given.asked)) == (0, 1)
