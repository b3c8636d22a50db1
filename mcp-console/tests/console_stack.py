"""A console on a TestClient against the real dev issuer, with fake MCP servers that record
the tokens they receive (to show every call carries an exchanged token, never the person's).
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from starlette.testclient import TestClient

from dev_idp import IdpServer
from mcp_common.auth import TokenExchanger
from mcp_common.client import McpClient
from mcp_common.server import ERROR_META
from mcp_console.app import create_app
from mcp_console.gateway import Gateway
from mcp_console.settings import ConsoleSettings
from mcp_console.status import StatusBoard

CONSOLE = "http://127.0.0.1:8010"
DEVICES = [
    {"id": "d-1", "hostname": "par-acc-01", "management_ip": "10.0.0.1"},
    {"id": "d-2", "hostname": "par-acc-02", "management_ip": "10.0.0.2"},
]


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a JWT (the fake server trusts the issuer; the real ones verify)."""
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def tool(name: str, action: str = "read", **extra: Any) -> dict[str, Any]:
    """A tools/list entry."""
    return {
        "name": name,
        "description": f"The {name} tool.\nMore about it.",
        "inputSchema": extra.pop("schema", {"type": "object", "properties": {}}),
        "annotations": {"readOnlyHint": action == "read", **extra},
        "_meta": {"action": action},
    }


@dataclass
class FakeServer:
    """One MCP server: tools by group, answers by tool; records every token's claims."""

    name: str
    tools: dict[str, list[dict[str, Any]]]  # group -> tools
    answers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = field(default_factory=dict)
    seen: list[dict[str, Any]] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        token = request.headers["authorization"].removeprefix("Bearer ")
        claims = claims_of(token)
        self.seen.append(claims)
        message = json.loads(request.content)
        if message["method"] == "tools/list":
            listed = [t for g in claims.get("groups", []) for t in self.tools.get(g, [])]
            result: dict[str, Any] = {"tools": listed}
        else:
            params = message["params"]
            result = self.answers[params["name"]](params["arguments"])
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": message["id"], "result": result})


def structured(value: Any) -> dict[str, Any]:
    """A successful tools/call result."""
    return {"content": [{"type": "text", "text": json.dumps(value)}], "structuredContent": value}


def failure(message: str, **meta: Any) -> dict[str, Any]:
    """A tool error with its kind in _meta."""
    return {
        "content": [{"type": "text", "text": message}],
        "isError": True,
        "_meta": {ERROR_META: meta},
    }


def catalyst_center() -> FakeServer:
    limit_schema = {
        "type": "object",
        "properties": {"limit": {"type": "integer", "minimum": 1, "maximum": 500}},
    }
    return FakeServer(
        "catalyst-center",
        {
            "network-engineers": [
                tool("list_devices", schema=limit_schema),
                tool("deploy_template", "write", destructiveHint=True),
            ],
            "admin": [tool("list_devices", schema=limit_schema)],
        },
        {
            "list_devices": lambda args: structured({"total": 2, "devices": DEVICES}),
            "deploy_template": lambda args: failure(
                "denied: mfa required for write on catalyst-center",
                kind="denied",
                action="write",
                resource="catalyst-center",
            ),
            "get_all_templates": lambda args: structured({"templates": []}),
        },
    )


def workflows(status: dict[str, Any]) -> FakeServer:
    return FakeServer(
        "workflows",
        {"network-engineers": [tool("get_deployment_status")]},
        {"get_deployment_status": lambda args: structured({**status, **args})},
    )


class Stack:
    """The console app, its fake servers and the issuer."""

    def __init__(self, idp: IdpServer, servers: list[FakeServer], tmp_logs: str | None = None):
        self.idp, self.servers = idp, {s.name: s for s in servers}
        urls = {s.name: f"http://{s.name}.test/mcp" for s in servers}
        self.settings = ConsoleSettings(
            oidc_issuer=idp.issuer,  # type: ignore[arg-type]
            oidc_client_secret=idp.secret("mcp-console"),  # type: ignore[arg-type]
            public_url=CONSOLE,  # type: ignore[arg-type]
            servers=json.dumps(urls),  # type: ignore[arg-type]
            audit_log_dir=tmp_logs,
        )
        clients = {
            s.name: McpClient(s.name, urls[s.name], transport=httpx.MockTransport(s.handle))
            for s in servers
        }
        exchanger = TokenExchanger(idp.issuer, "mcp-console", idp.secret("mcp-console"))
        gateway = Gateway(clients, urls, exchanger)

        def ready(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/readyz":
                return httpx.Response(200, json={"status": "ready", "checks": {"jwks": True}})
            return httpx.Response(200, text="")

        board = StatusBoard(
            {"mcp-catalyst-center": "http://catalyst-center.test"},
            http=httpx.AsyncClient(transport=httpx.MockTransport(ready)),
        )
        self.app = create_app(self.settings, gateway=gateway, board=board)
        self.client = TestClient(self.app, base_url=CONSOLE, follow_redirects=False)

    def sign_in(self, identity: str, next_path: str = "/tools") -> httpx.Response:
        """The whole code + PKCE flow through the issuer's sign-in pages; the callback's
        answer (303 to `next_path` when it worked)."""
        start = self.client.get(f"/auth/login?next={next_path}")
        assert start.status_code in (302, 303, 307), start.text
        authorize = start.headers["location"]
        with httpx.Client(timeout=10) as browser:
            page = browser.get(authorize)
            assert page.status_code == 200, page.text
            answer = self._submit(
                browser, page.text, {"username": identity, "password": self.idp.secret(identity)}
            )
            if answer.status_code == 200 and 'name="otp"' in answer.text:
                answer = self._submit(browser, answer.text, {"otp": self._otp(identity)})
        assert answer.status_code in (302, 303), answer.text
        callback = urlsplit(answer.headers["location"])
        assert f"{callback.scheme}://{callback.netloc}" == CONSOLE
        return self.client.get(f"{callback.path}?{callback.query}")

    def _submit(self, browser: httpx.Client, html: str, fields: dict[str, str]) -> httpx.Response:
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))
        action = "verify" if "otp" in fields else "login"
        return browser.post(self.idp.endpoint("/authorize"), data={**hidden, **fields, action: "1"})

    def _otp(self, identity: str) -> str:
        # Each 30 s step is accepted once per identity: the next step when this one is used.
        step = int(time.time() // 30)
        used = _USED.get(identity, -1)
        step = max(step, used + 1)
        _USED[identity] = step
        return self.idp.otp(identity, at=step * 30)

    def csrf(self) -> str:
        """The CSRF token of the signed-in session (as the page carries it)."""
        page = self.client.get("/tools").text
        match = re.search(r'name="csrf" value="([^"]+)"', page)
        assert match, page
        return match.group(1)


_USED: dict[str, int] = {}


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)
