"""The server as deployed: `build(settings)`, the real policy, OpenBao secrets, over HTTP."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mcp_common.observability import configure_logging
from mcp_github.server import INSTRUCTIONS, SERVER
from mcp_github.settings import GitHubSettings
from platform_testkit import capture_logs, error_text

READ_TOOLS = {
    "list_repositories",
    "get_repository",
    "get_file_contents",
    "search_issues",
    "list_issues",
    "get_issue",
    "list_pull_requests",
    "get_pull_request",
}
WRITE_TOOLS = {
    "create_issue",
    "add_issue_comment",
    "update_issue",
    "create_branch",
    "create_or_update_file",
    "create_pull_request",
}
ALL_TOOLS = READ_TOOLS | WRITE_TOOLS
REPO = {"owner": "netops", "repo": "automation-scripts"}
# A valid call of every tool, in an order where each one succeeds on fresh data.
CALLS: dict[str, dict[str, Any]] = {
    "list_repositories": {"owner": "netops"},
    "get_repository": REPO,
    "get_file_contents": {**REPO, "path": "README.md"},
    "search_issues": {"query": "timeout", **REPO},
    "list_issues": REPO,
    "get_issue": {**REPO, "number": 1},
    "list_pull_requests": REPO,
    "get_pull_request": {**REPO, "number": 6},
    "create_issue": {**REPO, "title": "Backups miss lon-core-01"},
    "add_issue_comment": {**REPO, "number": 1, "body": "Seen again today."},
    "update_issue": {**REPO, "number": 2, "labels": ["automation"]},
    "create_branch": {**REPO, "branch": "docs/env-vars"},
    "create_or_update_file": {
        **REPO,
        "path": "docs/ENV.md",
        "content": "# Environment\n",
        "message": "Document the environment",
        "branch": "docs/env-vars",
    },
    "create_pull_request": {**REPO, "title": "Document the environment", "head": "docs/env-vars"},
}


@pytest.fixture(scope="module", autouse=True)
def log_stream() -> Iterator[io.StringIO]:
    """Every log line of this module, at DEBUG, to check what is (not) logged."""
    with capture_logs(configure_logging, "mcp-github") as stream:
        yield stream


def test_every_tool_has_a_call() -> None:
    assert set(CALLS) == ALL_TOOLS


def test_defaults_match_the_deployment() -> None:
    settings = GitHubSettings(
        oidc_issuer="http://127.0.0.1:1",
        oidc_audience="a",
        secrets_backend="file",
        secrets_file="/dev/null",
    )
    assert settings.port == 8003 and settings.service_name == "mcp-github"
    assert settings.secret_path == "api/github"
    assert (SERVER.name, SERVER.resource) == ("github", "github")


@pytest.mark.parametrize("identity", ["developer", "admin"])
async def test_developers_and_admin_see_every_tool(stack: Any, identity: str) -> None:
    async with stack.client(identity) as c:
        tools = {t.name: t for t in await c.list_tools()}
    assert set(tools) == ALL_TOOLS
    assert {n for n, t in tools.items() if t.annotations.read_only_hint} == READ_TOOLS
    assert tools["create_or_update_file"].annotations.destructive_hint is True
    assert tools["create_issue"].annotations.destructive_hint is False


@pytest.mark.parametrize("identity", ["service-desk", "network-engineer", "network-engineer-mfa"])
async def test_other_groups_see_no_github_tool(stack: Any, identity: str) -> None:
    async with stack.client(identity) as c:
        assert await c.list_tools() == []


@pytest.mark.parametrize("identity", ["service-desk", "network-engineer", "network-engineer-mfa"])
async def test_other_groups_are_denied_every_call_before_github_is_reached(
    stack: Any, fresh: Any, identity: str
) -> None:
    async with stack.client(identity) as c:  # one session for every call
        for tool, args in CALLS.items():
            result = await c.call_tool(tool, args, raise_on_error=False)
            message = error_text(result)
            assert result.is_error and "Access denied" in message, (tool, message)
            assert "'github'" in message, message
    assert fresh.stats()["total"] == 0


@pytest.mark.parametrize("identity", ["developer", "admin"])
async def test_developers_and_admin_may_call_every_tool(
    stack: Any, fresh: Any, identity: str
) -> None:
    async with stack.client(identity) as c:
        for tool, args in CALLS.items():
            result = await c.call_tool(tool, args, raise_on_error=False)
            assert not result.is_error, (tool, error_text(result))
    assert fresh.requests("POST /repos/netops/automation-scripts/pulls") == 1


async def test_the_instructions_explain_the_change_workflow(stack: Any) -> None:
    async with stack.client("developer") as c:
        assert c.instructions == INSTRUCTIONS
    assert "allow_default_branch" in INSTRUCTIONS and "sha" in INSTRUCTIONS


def test_health_and_readiness_are_served(stack: Any) -> None:
    base = stack.url.removesuffix("/mcp")
    assert httpx.get(f"{base}/healthz").json()["service"] == "mcp-github"
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200, ready.text


def test_main_refuses_to_start_without_its_configuration() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCP_")}
    done = subprocess.run(
        [sys.executable, "-m", "mcp_github"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "configuration error: MCP_OIDC_ISSUER" in done.stderr
    assert "Traceback" not in done.stderr


async def test_the_github_token_is_never_returned_nor_logged(
    stack: Any, fresh: Any, log_stream: io.StringIO
) -> None:
    # Runs last: successes, refusals, 401s, rate limits and errors have all been logged above.
    async with stack.client("developer") as c:
        results = [await c.call_tool(tool, args) for tool, args in CALLS.items()]
    fresh.fault(path_prefix="/repos", status=500)
    errors = [await stack.error("get_repository", REPO)]
    fresh.fault(path_prefix="/repos", status=403, retry_after=0, count=None)
    errors.append(await stack.error("get_repository", REPO))
    fresh.clear_faults()
    text = log_stream.getvalue()
    assert "MCP tool executed" in text and "authorization.decision" in text
    assert "upstream.retry" in text
    assert fresh.token not in text and "Bearer " not in text
    assert not any(fresh.token in str(r) for r in results + errors)
