"""A server declared once (`ServerSpec`) and built in one place (`build_server`, `serve`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypedDict, TypeVar, Unpack

from fastmcp.server.extensions import ServerExtension

from mcp_common.auth._verifier import TokenVerifier
from mcp_common.observability._logging import configure_logging
from mcp_common.observability._metrics import PlatformMetrics
from mcp_common.policy._authorizer import Authorizer, CachingAuthorizer, PolicyFacts
from mcp_common.secrets._store import SecretStore
from mcp_common.server._components import build_secret_store
from mcp_common.server._factory import PlatformServer, create_server, run_server, run_workers
from mcp_common.server._runtime import tune_gc
from mcp_common.server._toolset import Toolset
from mcp_common.server._workers import spec_location, spec_named
from mcp_common.settings import CommonSettings, load_settings
from mcp_common.tasks._background import background_tasks

__all__ = ["BackendClient", "Components", "ServerSpec", "build_server", "serve", "worker_app"]


class BackendClient(Protocol):
    """What a server needs of its backend client: to be closed with the server."""

    async def aclose(self) -> None:
        """Release connections and sessions."""
        ...


class Components(TypedDict, total=False):
    """Components given to `ServerSpec.build` instead of built from the settings (tests, tools)."""

    verifier: TokenVerifier | None
    authorizer: Authorizer | CachingAuthorizer | None
    secrets: SecretStore | None
    metrics: PlatformMetrics | None


S = TypeVar("S", bound=CommonSettings)
C = TypeVar("C", bound=BackendClient)


@dataclass(frozen=True, slots=True)
class ServerSpec(Generic[S, C]):
    """Everything that makes one MCP server what it is; the platform supplies the rest.

    `client` makes the backend client from the settings, the secret store and the metrics;
    `toolsets` makes the server's toolsets over that client; `task_tools` names the tools
    that may run as MCP tasks in this process (the tasks extension, `MCP_TASKS_*`);
    `extensions`, when given, other MCP extensions (FastMCP `ServerExtension`s) served
    beside them;
    `policy_facts`, when given, what the server looks up for a call before the policy decides
    it (`PolicyFacts`, made from the settings, the secret store and the metrics). `resource`,
    the name the policy knows the server by, is its `name` unless given.
    """

    name: str
    settings: type[S]
    instructions: str
    client: Callable[[S, SecretStore, PlatformMetrics], C]
    toolsets: Callable[[C, S], Iterable[Toolset]]
    task_tools: frozenset[str] = frozenset()
    extensions: Callable[[C, S], Iterable[ServerExtension]] | None = None
    policy_facts: Callable[[S, SecretStore, PlatformMetrics], PolicyFacts] | None = None
    resource: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a server needs a name")
        if not self.resource:
            object.__setattr__(self, "resource", self.name)

    def build(
        self,
        settings: S,
        *,
        client: C | None = None,
        policy_facts: PolicyFacts | None = None,
        **given: Unpack[Components],
    ) -> PlatformServer:
        """The declared server with every component; those not given are built from the settings.

        The backend client is closed with the server (as are the policy facts, the secret
        store, the verifier and the authorizer).
        """
        metrics = given.get("metrics") or PlatformMetrics(settings.service_name)
        secrets = given.get("secrets") or build_secret_store(settings, metrics)
        backend = client if client is not None else self.client(settings, secrets, metrics)
        closers: list[Any] = [backend]
        facts = policy_facts
        if facts is None and self.policy_facts is not None:
            facts = self.policy_facts(settings, secrets, metrics)
        if facts is not None:
            closers.append(facts)
        platform = create_server(
            settings,
            name=self.name,
            resource=self.resource,
            toolsets=self.toolsets(backend, settings),
            verifier=given.get("verifier"),
            authorizer=given.get("authorizer"),
            secrets=secrets,
            metrics=metrics,
            instructions=self.instructions,
            closers=closers,
            cache_identity=getattr(backend, "cache_identity", None),
            policy_facts=facts,
        )
        extensions = list(self.extensions(backend, settings)) if self.extensions else []
        if self.task_tools:
            extensions += background_tasks(settings, self.task_tools)
        for extension in extensions:
            platform.mcp.add_extension(extension)
        return platform

    def main(self) -> None:
        """The entry point: read the settings, configure logging, serve until interrupted."""
        serve(self)


# `build_server(spec, settings, ...)` is `spec.build(settings, ...)`.
build_server = ServerSpec.build


def serve(spec: ServerSpec[Any, Any]) -> None:
    """Read `spec.settings` from the environment, configure logging, serve until interrupted."""
    settings = load_settings(spec.settings)
    configure_logging(settings.service_name, settings.log_level)
    if settings.workers > 1:
        # The workers build their own servers; this process only supervises them.
        run_workers(settings, spec_location(spec))
        return
    run_server(build_server(spec, settings))


def worker_app() -> Any:
    """The ASGI app of one worker process: the server MCP_SERVER_SPEC names, built from the
    environment (uvicorn imports it by name, `mcp_common.server:worker_app`)."""
    spec = spec_named()
    settings = load_settings(spec.settings)
    configure_logging(settings.service_name, settings.log_level)
    app = build_server(spec, settings).http_app()
    tune_gc()
    return app
