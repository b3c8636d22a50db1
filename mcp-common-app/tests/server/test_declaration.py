"""A server is declared once (`ServerSpec`) and built in one place (`build_server`, `serve`)."""

from __future__ import annotations

from typing import Any

import pytest
from fastmcp import Client

from mcp_common import CommonSettings, Principal, Toolset
from mcp_common.auth import PlatformAccessToken
from mcp_common.observability import PlatformMetrics
from mcp_common.secrets import SecretStore
from mcp_common.server import PlatformServer, ServerSpec, build_server
from mcp_common.testing import StaticAuthorizer, StaticSecretStore, StaticVerifier

TASKS = "io.modelcontextprotocol/tasks"


class EchoSettings(CommonSettings):
    """The declared server's own settings: one more than the platform's."""

    greeting: str = "hello"


class EchoClient:
    """A backend client: remembers what it was built with, and whether it was closed."""

    def __init__(self, settings: EchoSettings, secrets: SecretStore, metrics: Any) -> None:
        self.settings, self.secrets, self.metrics = settings, secrets, metrics
        self.closed = False

    async def aclose(self) -> None:
        self.closed = True


def echo_tools(client: EchoClient, settings: EchoSettings) -> list[Toolset]:
    ts = Toolset("echo")

    @ts.tool(action="read")
    async def greet(name: str) -> str:
        """Greets."""
        return f"{settings.greeting}, {name} (client {id(client)})"

    return [ts]


SPEC = ServerSpec(
    name="echo",
    settings=EchoSettings,
    instructions="Greets people.",
    client=EchoClient,
    toolsets=echo_tools,
)
ENV = {
    "MCP_OIDC_ISSUER": "http://127.0.0.1:1",
    "MCP_OIDC_AUDIENCE": "test",
    "MCP_SECRETS_BACKEND": "file",
    "MCP_SECRETS_FILE": "unused.json",
    "MCP_GREETING": "bonjour",
}


def settings(**overrides: Any) -> EchoSettings:
    return EchoSettings(
        oidc_issuer="http://127.0.0.1:1",
        oidc_audience="test",
        secrets_backend="file",
        secrets_file="unused.json",
        **overrides,
    )


def build(**components: Any) -> PlatformServer:
    return SPEC.build(
        settings(greeting="hi"),
        verifier=StaticVerifier({}),
        authorizer=StaticAuthorizer(),
        secrets=StaticSecretStore({}),
        **components,
    )


def test_the_client_is_made_from_the_settings_the_store_and_the_metrics() -> None:
    secrets, metrics = StaticSecretStore({}), PlatformMetrics("echo")
    platform = SPEC.build(
        settings(), verifier=StaticVerifier({}), authorizer=StaticAuthorizer(),
        secrets=secrets, metrics=metrics,
    )  # fmt: skip
    client = platform.closers[0]
    assert isinstance(client, EchoClient)
    assert (client.secrets, client.metrics) == (secrets, metrics) == (platform.secrets, metrics)
    assert (platform.mcp.name, platform.resource, platform.mcp.instructions) == (
        "echo",
        "echo",
        "Greets people.",
    )


async def test_the_toolsets_get_the_client_and_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = PlatformAccessToken(token="x", client_id="alice", scopes=[], subject="alice")
    token._principal = Principal("alice")
    monkeypatch.setattr("mcp_common.auth._fastmcp.get_access_token", lambda: token)
    platform = build()
    async with Client(platform.mcp) as client:
        answer = (await client.call_tool("greet", {"name": "ada"})).data
    assert answer == f"hi, ada (client {id(platform.closers[0])})"


async def test_a_given_client_is_used_and_closed_with_the_server() -> None:
    mine = EchoClient(settings(), StaticSecretStore({}), None)
    platform = build(client=mine)
    assert platform.closers == [mine]
    await platform.aclose()
    assert mine.closed


async def test_declared_task_tools_get_the_tasks_extension_and_others_do_not() -> None:
    tasking = ServerSpec(
        name="echo", settings=EchoSettings, instructions="Greets people.", client=EchoClient,
        toolsets=echo_tools, task_tools=frozenset({"greet"}),
    )  # fmt: skip
    for spec, advertised in ((tasking, True), (SPEC, False)):
        platform = spec.build(
            settings(), verifier=StaticVerifier({}), authorizer=StaticAuthorizer(),
            secrets=StaticSecretStore({}),
        )  # fmt: skip
        async with Client(platform.mcp) as client:
            assert client.server_capabilities is not None
            capabilities = client.server_capabilities.model_dump(exclude_none=True)
        assert (TASKS in capabilities.get("extensions", {})) is advertised


def test_build_server_is_what_spec_build_calls() -> None:
    platform = build_server(
        SPEC, settings(), verifier=StaticVerifier({}), authorizer=StaticAuthorizer(),
        secrets=StaticSecretStore({}),
    )  # fmt: skip
    assert platform.mcp.name == "echo" and isinstance(platform.closers[0], EchoClient)


def test_a_declaration_needs_a_name() -> None:
    with pytest.raises(ValueError, match="needs a name"):
        ServerSpec(name="", settings=EchoSettings, instructions="", client=EchoClient,
                   toolsets=echo_tools)  # fmt: skip


def test_the_policy_knows_a_server_by_its_name_unless_a_resource_is_declared() -> None:
    assert SPEC.resource == "echo"
    other = ServerSpec(name="echo-2", settings=EchoSettings, instructions="", client=EchoClient,
                       toolsets=echo_tools, resource="echo")  # fmt: skip
    assert (other.name, other.resource) == ("echo-2", "echo")


def test_main_reads_the_declared_settings_from_the_environment_and_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    served: list[PlatformServer] = []
    monkeypatch.setattr("mcp_common.server._declaration.run_server", served.append)
    SPEC.main()
    (platform,) = served
    assert isinstance(platform.settings, EchoSettings) and platform.settings.greeting == "bonjour"
    assert platform.mcp.name == "echo"


def test_main_stops_with_one_clear_line_on_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in {**ENV, "MCP_PORT": "99999"}.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SystemExit) as stopped:
        SPEC.main()
    assert stopped.value.code == 2
    assert capsys.readouterr().err.startswith("configuration error: MCP_PORT:")
