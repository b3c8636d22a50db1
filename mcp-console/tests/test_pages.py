"""The pages: my tools with badges, forms, results as tables, errors explained, the live
deployment panel, the status page; sign-in required everywhere, htmx included."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from dev_idp import IdpServer
from mcp_console.pages import badges

from .console_stack import Stack, catalyst_center, tool, workflows

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ")
WAITING = {
    "workflow_id": "template-deployment-1",
    "execution_status": "RUNNING",
    "step": "awaiting_approval",
    "ticket_id": "CHG0030001",
}


@pytest.fixture
def stack(idp: IdpServer, tmp_path: Path) -> Iterator[Stack]:
    (tmp_path / "mcp-github.log").write_text(
        '{"@timestamp": "2026-12-06T10:00:00+00:00", "event.action": "authorization.decision",'
        ' "user.id": "u-1", "authz.tool": "list_issues", "authz.decision": "deny",'
        ' "authz.resource": "github", "authz.action": "read", "user.actors": ["mcp-console"]}\n'
    )
    stack = Stack(idp, [catalyst_center(), workflows(WAITING)], str(tmp_path))
    with stack.client:
        yield stack


def test_signed_out_pages_go_to_sign_in_and_remember_the_page(stack: Stack) -> None:
    answer = stack.client.get("/tools/catalyst-center/list_devices?x=1")
    assert answer.status_code == 303
    assert answer.headers["location"] == (
        "/auth/login?next=%2Ftools%2Fcatalyst-center%2Flist_devices%3Fx%3D1"
    )
    home = stack.client.get("/")
    assert home.status_code == 200 and 'href="/auth/login?next=/tools"' in home.text


def test_htmx_requests_redirect_the_whole_page_back_to_the_page_shown(stack: Stack) -> None:
    answer = stack.client.get(
        "/deployments/template-deployment-1/panel",
        headers={"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1:8010/deployments/x"},
    )
    assert answer.headers["HX-Redirect"] == "/auth/login?next=%2Fdeployments%2Fx"


def test_my_tools_per_server_with_badges(stack: Stack) -> None:
    stack.sign_in("network-engineer")
    page = stack.client.get("/tools").text
    assert 'data-server="catalyst-center"' in page and ">list_devices</a>" in page
    assert "badge destructive" in page and "badge read" in page
    assert not JWT.search(page)


def test_someone_without_tools_sees_none(stack: Stack) -> None:
    stack.sign_in("developer")
    page = stack.client.get("/tools").text
    assert "No tools for you on this server." in page and "list_devices" not in page


def test_a_tool_page_renders_its_schema_and_a_call_shows_a_table(stack: Stack) -> None:
    stack.sign_in("network-engineer")
    page = stack.client.get("/tools/catalyst-center/list_devices").text
    assert 'id="arg-limit"' in page and 'min="1"' in page and 'max="500"' in page
    answer = stack.client.post(
        "/tools/catalyst-center/list_devices",
        data={"csrf": stack.csrf(), "arg.limit": "5"},
        headers={"HX-Request": "true"},
    )
    assert "<table" in answer.text and "<td>par-acc-01</td>" in answer.text
    assert "<html" not in answer.text  # htmx gets the fragment only


def test_invalid_input_is_explained_without_calling(stack: Stack) -> None:
    stack.sign_in("network-engineer")
    answer = stack.client.post(
        "/tools/catalyst-center/list_devices", data={"csrf": stack.csrf(), "arg.limit": "900"}
    )
    assert answer.status_code == 422 and 'id="arg-limit-err"' in answer.text
    calls = [c for c in stack.servers["catalyst-center"].seen]
    assert len(calls) == 2  # tools/list for /tools and for the post: no tools/call


def test_a_denied_call_names_the_action_and_resource(stack: Stack) -> None:
    stack.sign_in("network-engineer")
    answer = stack.client.post(
        "/tools/catalyst-center/deploy_template", data={"csrf": stack.csrf()}
    )
    assert "Not allowed" in answer.text and "write on catalyst-center" in answer.text


def test_an_unknown_tool_is_404(stack: Stack) -> None:
    stack.sign_in("network-engineer")
    assert stack.client.get("/tools/catalyst-center/nope").status_code == 404
    assert stack.client.get("/tools/nowhere/nope").status_code == 404


def test_the_deployment_panel_polls_while_running_and_shows_the_change(stack: Stack) -> None:
    stack.sign_in("network-engineer")
    page = stack.client.get("/deployments/template-deployment-1").text
    assert 'hx-trigger="every 2s"' in page and "CHG0030001" in page
    assert "awaiting approval" in page and "Cancel deployment" in page


def test_the_status_page_and_the_admin_decision_feed(stack: Stack) -> None:
    stack.sign_in("network-engineer")
    page = stack.client.get("/status").text
    assert "mcp-catalyst-center" in page and "Ready" in page
    assert "Last policy decisions" not in page  # admins only
    stack.client.cookies.clear()
    stack.sign_in("admin")
    page = stack.client.get("/status").text
    assert "Last policy decisions" in page and "github/list_issues" in page and "denied" in page


def test_security_headers_and_no_inline_script(stack: Stack) -> None:
    answer = stack.client.get("/")
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert "<script>" not in answer.text and '<script src="/static/htmx.min.js"' in answer.text
    assert stack.client.get("/static/htmx.min.js").status_code == 200


def test_badges_follow_the_declared_action_and_annotations() -> None:
    from mcp_common.client import ToolInfo

    read = ToolInfo.from_wire(tool("a"))
    write = ToolInfo.from_wire(tool("b", "write", destructiveHint=True))
    assert badges(read) == [("read", "read")]
    assert badges(write) == [("write", "write"), ("destructive", "destructive")]
