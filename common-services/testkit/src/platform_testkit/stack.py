"""A backend simulator and an MCP server built in front of it, on 127.0.0.1 (the full chain).

IdP token -> the MCP server over HTTP -> its policy -> the backend's credentials from OpenBao
(AppRole) -> the simulator. The server's settings class and `build` are passed in: no server
package is imported here, and fastmcp only when a client is made.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import httpx

from dev_idp import IdpServer
from platform_launcher.openbao import VAULT_POLICIES, OpenBaoDevServer, read_policy
from simulator_kit.serve import BackgroundServer, free_port

if TYPE_CHECKING:
    from fastmcp import Client
    from fastmcp.client.client import CallToolResult

__all__ = [
    "VAULT_POLICIES",
    "Buildable",
    "LogConfigurer",
    "SandboxControls",
    "ServerStack",
    "StrictStack",
    "capture_logs",
    "error_text",
    "resource_token",
    "start_server_stack",
]

# Settings the stack decides itself: overriding them would break the chain it promises.
_OWNED = frozenset({"port", "vault_role_id", "vault_secret_id"})

SecretFields = Mapping[str, str] | Callable[[str], Mapping[str, str]]


class Buildable(Protocol):
    """What a server's `build(settings)` returns (`mcp_common.server.PlatformServer`)."""

    def http_app(self) -> Any:
        """The server's ASGI app."""


class LogConfigurer(Protocol):
    """The platform's `mcp_common.logging.configure_logging`."""

    def __call__(
        self, service_name: str, level: str = "INFO", stream: IO[str] | None = None
    ) -> None:
        """Send every log record, as shipped, to `stream`."""


def error_text(result: CallToolResult) -> str:
    """The text of a tool result's content (what an error says)."""
    return " ".join(getattr(part, "text", "") for part in result.content)


def _audiences(token: str) -> list[str]:
    """The `aud` of a JWT, read without verification (to tell which audience it was bound to)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return []
    aud = claims.get("aud") if isinstance(claims, dict) else None
    return [aud] if isinstance(aud, str) else [a for a in aud or [] if isinstance(a, str)]


def resource_token(idp: IdpServer, identity: str, resource: str) -> str:
    """An access token of `identity` from the token endpoint, for `resource` (RFC 8707 `aud`).

    Each MCP server accepts only tokens naming its own resource URI (`settings.token_audience`).
    Until the dev issuer binds `aud` to `resource` on every grant, a token it bound to its
    default audience is replaced by an admin-minted one for the resource.
    """
    token = idp.token(identity, resource=resource)
    if resource in _audiences(token):
        return token
    return idp.mint(identity, aud=resource)


def _http_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{name} must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


class SandboxControls:
    """The `/sandbox/*` test controls every simulator serves (see `simulator_kit.admin`)."""

    def __init__(self, url: str) -> None:
        self.url = _http_url("url", url)
        self._http = httpx.Client(base_url=self.url, timeout=10)  # one pool: ~20 ms a call less

    def _admin(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """`METHOD /sandbox/<path>` with a JSON body; its JSON answer (raises unless 2xx)."""
        response = self._http.request(method, f"/sandbox/{path}", json=body)
        response.raise_for_status()
        return response.json()

    def admin(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """POST a control (`reset`, `faults`, `tokens/expire`...) with its JSON body."""
        return self._admin("POST", path, dict(body or {}))

    def stats(self) -> dict[str, Any]:
        """What the simulator counted (requests per path, logins, faults served...)."""
        return dict(self._admin("GET", "stats"))

    def requests(self, key: str) -> int:
        """How many requests `METHOD /path` the simulator served."""
        return int(self.stats()["requests"].get(key, 0))

    def clear_stats(self) -> None:
        """Counters back to zero."""
        self.admin("stats/clear")

    def reset(self) -> None:
        """Back to the seeded state (data, tokens, faults, counters)."""
        self.admin("reset")


class ServerStack:
    """A running MCP server in front of a backend, and FastMCP clients for demo identities.

    Tool calls name the tool first and the identity last (default: `identity`); errors come
    back as results. A token is reused for `token_max_age` seconds (well within its lifetime;
    0: a new one per client). Use `start_server_stack`; `stop()` ends what it started.
    """

    def __init__(
        self,
        *,
        url: str,
        simulator_url: str,
        tokens: Callable[[str], str],
        simulator: Any = None,
        settings: Any = None,
        identity: str | None = None,
        owned: tuple[BackgroundServer, ...] = (),
        token_max_age: float = 60.0,
    ) -> None:
        if identity is not None and not identity.strip():
            raise ValueError("identity must be a non-empty name or None")
        if not 0 <= token_max_age <= 240:
            raise ValueError(f"token_max_age must be in 0..240 s, got {token_max_age}")
        self.url = _http_url("url", url)
        self.base_url = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        self.simulator_url = _http_url("simulator_url", simulator_url)
        self.simulator = simulator if simulator is not None else SandboxControls(simulator_url)
        self.settings = settings
        self.identity = identity
        self.token_max_age = token_max_age
        self._tokens = tokens
        self._issued: dict[str, tuple[float, str]] = {}
        self._owned = owned

    def token(self, identity: str | None = None) -> str:
        """A valid access token for `identity` (the default identity when None)."""
        name = identity or self.identity
        if name is None:
            raise ValueError("no identity given and the stack has no default identity")
        issued_at, token = self._issued.get(name, (-1e9, ""))
        if time.monotonic() - issued_at >= self.token_max_age:
            issued_at, token = time.monotonic(), self._tokens(name)
            self._issued[name] = (issued_at, token)
        return token

    def client(self, identity: str | None = None) -> Client[Any]:
        """A FastMCP client of the server (not yet connected) with a valid token."""
        from fastmcp import Client
        from fastmcp.client.transports import StreamableHttpTransport

        return Client(StreamableHttpTransport(self.url, auth=self.token(identity)))

    async def call(
        self, tool: str, args: Mapping[str, Any] | None = None, identity: str | None = None
    ) -> CallToolResult:
        """Call a tool; errors come back as results (`is_error`, text in content)."""
        async with self.client(identity) as c:
            result: CallToolResult = await c.call_tool(tool, dict(args or {}), raise_on_error=False)
        return result

    async def data(
        self, tool: str, args: Mapping[str, Any] | None = None, identity: str | None = None
    ) -> Any:
        """Call a tool that must succeed; its structured result (AssertionError if not)."""
        result = await self.call(tool, args, identity)
        if result.is_error:
            raise AssertionError(error_text(result))
        return result.structured_content

    async def error(
        self, tool: str, args: Mapping[str, Any] | None = None, identity: str | None = None
    ) -> str:
        """Call a tool that must fail; its error text (AssertionError if it succeeds)."""
        result = await self.call(tool, args, identity)
        if not result.is_error:
            raise AssertionError(f"{tool} succeeded: {result.structured_content}")
        return error_text(result)

    async def tools(self, identity: str | None = None) -> set[str]:
        """The names of the tools `identity` sees."""
        async with self.client(identity) as c:
            return {t.name for t in await c.list_tools()}

    def stop(self) -> None:
        """Stop the server, and the simulator when the stack started it; safe to call twice."""
        for server in self._owned:
            server.stop()

    def __enter__(self) -> ServerStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class StrictStack:
    """The same stack called identity first, a failing tool raising fastmcp's `ToolError`."""

    def __init__(self, stack: ServerStack) -> None:
        self.stack = stack
        self.url = stack.url
        self.sim = stack.simulator

    async def call(self, identity: str, tool: str, args: Mapping[str, Any] | None = None) -> Any:
        """Call a tool as a demo identity; return its structured result."""
        async with self.stack.client(identity) as c:
            result = await c.call_tool(tool, dict(args or {}))
        return result.structured_content

    async def tools(self, identity: str) -> set[str]:
        """The tools a demo identity sees."""
        return await self.stack.tools(identity)


def start_server_stack(
    backend: Any,
    secret: SecretFields,
    settings_class: Callable[..., Any],
    build: Callable[[Any], Buildable],
    *,
    idp: IdpServer,
    openbao: OpenBaoDevServer,
    policy_path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    simulator: Any = None,
    identity: str | None = None,
    tokens: Callable[[str, str], str] | None = None,
    secret_path: str | None = None,
    role: str | None = None,
    vault_policy: Path | None = None,
) -> ServerStack:
    """Seed the backend's secret, build the server as the launcher would and serve it.

    `backend`: the simulator's ASGI app (served, and stopped with the stack) or the URL of a
    running one. `secret`: the fields for `secret_path` (default: the settings' own), or a
    function of the simulator's URL. The settings get the dev issuer, the policy file, an
    AppRole of their own (`role`, default `<service_name>-<random>`) bound to one policy: the
    service's deployed `VAULT_POLICIES/<service_name>.hcl` when there is one and
    `secret_path` is not given, else `vault_policy`, else read on the seeded path only; no
    rate limit and a port known before `build` (the server's resource URI, the only `aud` it
    accepts, names the URL), then `overrides`. `tokens(identity, resource)` (default
    `resource_token`) issues tokens for the server's audience; `simulator` is the handle at
    `stack.simulator` (default SandboxControls).
    """
    overrides = dict(overrides or {})
    if owned_keys := sorted(_OWNED & overrides.keys()):
        raise ValueError(f"overrides may not set {owned_keys}: the stack chooses them")
    owned: list[BackgroundServer] = []
    try:
        if isinstance(backend, str):
            simulator_url = _http_url("backend", backend)
        else:
            owned.append(BackgroundServer(backend).start())
            simulator_url = owned[-1].url
        port = free_port()
        values = {
            "port": port, "oidc_issuer": idp.issuer,
            "vault_addr": openbao.addr, "vault_auth": "approle",
            "policy_path": str(policy_path), "rate_limit_per_minute": 0,
            # Tests watch what reaches the simulator: no shared read cache unless asked for.
            "tool_cache": False,
        }  # fmt: skip
        values.update(overrides)
        overrides = {}
        # Built once without a role to learn the service's name and secret path.
        draft = settings_class(**values, vault_role_id="-", vault_secret_id="-", **overrides)
        path = str(secret_path or getattr(draft, "secret_path", "")).strip("/")
        if not path:
            raise ValueError("no secret_path given and the settings have none")
        service = str(draft.service_name)
        deployed = VAULT_POLICIES / f"{service}.hcl"
        if vault_policy is not None:
            hcl = vault_policy.read_text()
        elif secret_path is None and deployed.is_file():
            hcl = deployed.read_text()
        else:
            hcl = read_policy([path])
        # A role (and policy) per stack: stacks sharing one OpenBao never see each other's.
        role = role or f"{service}-{secrets.token_hex(4)}"
        role_id, secret_id = openbao.service_approle(role, hcl)
        settings = settings_class(
            **values, vault_role_id=role_id, vault_secret_id=secret_id, **overrides
        )
        openbao.seed({path: dict(secret(simulator_url) if callable(secret) else secret)})
        owned.append(BackgroundServer(build(settings).http_app(), port=port).start())
    except BaseException:
        for server in reversed(owned):
            server.stop()
        raise
    mcp_path = str(getattr(settings, "mcp_path", "/mcp"))
    url = f"{owned[-1].url}{mcp_path}"
    audience = str(getattr(settings, "token_audience", url))
    issue = tokens or functools.partial(resource_token, idp)
    return ServerStack(
        url=url,
        simulator_url=simulator_url,
        tokens=lambda identity: issue(identity, audience),
        simulator=simulator,
        settings=settings,
        identity=identity,
        owned=tuple(reversed(owned)),
    )


@contextmanager
def capture_logs(configure: LogConfigurer, service_name: str) -> Iterator[io.StringIO]:
    """Every log line at DEBUG, formatted as shipped, into a buffer; back to INFO after."""
    stream = io.StringIO()
    configure(service_name, "DEBUG", stream=stream)
    try:
        yield stream
    finally:
        configure(service_name, "INFO")
