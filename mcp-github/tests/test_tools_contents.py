"""Branch and file-change tools through the full chain: commits, stale shas, guards."""

from __future__ import annotations

import base64
from typing import Any

import pytest

AS = {"owner": "netops", "repo": "automation-scripts"}
NC = {"owner": "netops", "repo": "network-configs"}
BRANCH = "feature/env-docs"


def read(sim: Any, repo: str, path: str, ref: str) -> tuple[str, str]:
    """(text, sha) of a file, read directly from the simulator."""
    with sim.api() as gh:
        body = gh.get(f"/repos/netops/{repo}/contents/{path}", params={"ref": ref}).json()
    return base64.b64decode(body["content"]).decode(), body["sha"]


@pytest.fixture
async def branch(stack: Any, fresh: Any) -> str:
    """A fresh branch of automation-scripts, from main."""
    await stack.data("create_branch", {**AS, "branch": BRANCH})
    return BRANCH


async def test_create_branch_starts_from_the_default_branch(stack: Any, fresh: Any) -> None:
    created = await stack.data("create_branch", {**AS, "branch": BRANCH})
    with fresh.api() as gh:
        main = gh.get("/repos/netops/automation-scripts/branches/main").json()["commit"]["sha"]
        new = gh.get(f"/repos/netops/automation-scripts/branches/{BRANCH}").json()
    assert created == {"branch": BRANCH, "sha": main, "from_ref": "main"}
    assert new["commit"]["sha"] == main


async def test_create_branch_from_another_branch_or_a_sha(stack: Any, fresh: Any) -> None:
    from_branch = await stack.data(
        "create_branch", {**NC, "branch": "ntp-2", "from_ref": "feature/ntp-update"}
    )
    from_sha = await stack.data(
        "create_branch", {**NC, "branch": "ntp-3", "from_ref": from_branch["sha"]}
    )
    assert from_sha["sha"] == from_branch["sha"] and from_sha["from_ref"] == from_branch["sha"]


async def test_create_branch_reports_an_existing_branch(stack: Any, branch: str) -> None:
    message = await stack.error("create_branch", {**AS, "branch": branch})
    assert message == (
        f"GitHub answered HTTP 422: branch {branch} already exists in netops/automation-scripts"
    )


async def test_create_branch_reports_an_unknown_start(stack: Any, fresh: Any) -> None:
    message = await stack.error("create_branch", {**AS, "branch": "x", "from_ref": "nope"})
    assert "branch nope of netops/automation-scripts was not found" in message


@pytest.mark.parametrize("name", ["bad..name", "-x", "with space", "x.lock", "a//b", "x/"])
async def test_create_branch_refuses_invalid_names_before_github(
    stack: Any, fresh: Any, name: str
) -> None:
    await stack.error("create_branch", {**AS, "branch": name})
    assert fresh.stats()["total"] == 0


async def test_a_new_file_is_committed_to_a_branch(stack: Any, branch: str) -> None:
    written = await stack.data(
        "create_or_update_file",
        {
            **AS,
            "path": "docs/ENV.md",
            "content": "# Environment\n\nNETBOX_URL\n",
            "message": "Document the environment",
            "branch": branch,
        },
    )
    text, sha = read(stack.simulator, "automation-scripts", "docs/ENV.md", branch)
    assert text == "# Environment\n\nNETBOX_URL\n"
    assert written["created"] is True and written["sha"] == sha and written["branch"] == branch
    with stack.simulator.api() as gh:
        commit = gh.get(f"/repos/netops/automation-scripts/commits/{branch}").json()
    assert commit["sha"] == written["commit_sha"]
    assert commit["commit"]["message"] == "Document the environment"


async def test_an_update_needs_the_current_sha(stack: Any, branch: str) -> None:
    path = "scripts/check_reachability.py"
    _, sha = read(stack.simulator, "automation-scripts", path, branch)
    args = {**AS, "path": path, "content": "TIMEOUT = 10\n", "message": "Longer", "branch": branch}
    missing = await stack.error("create_or_update_file", args)
    assert missing == (
        f"GitHub answered HTTP 422: {path} already exists on {branch} (pass its "
        "current sha (get_file_contents gives it) to update it)"
    )
    updated = await stack.data("create_or_update_file", {**args, "sha": sha})
    assert updated["created"] is False and updated["sha"] != sha
    assert read(stack.simulator, "automation-scripts", path, branch)[0] == "TIMEOUT = 10\n"


async def test_a_stale_sha_is_a_clear_409(stack: Any, branch: str) -> None:
    path = "README.md"
    _, old_sha = read(stack.simulator, "automation-scripts", path, branch)
    args = {**AS, "path": path, "message": "Edit", "branch": branch, "sha": old_sha}
    await stack.data("create_or_update_file", {**args, "content": "first edit\n"})
    message = await stack.error("create_or_update_file", {**args, "content": "second edit\n"})
    assert message.startswith(f"GitHub answered HTTP 409: {path} changed on {branch} since")
    assert f"sha {old_sha} is stale" in message and "get_file_contents" in message
    assert read(stack.simulator, "automation-scripts", path, branch)[0] == "first edit\n"


async def test_the_default_branch_is_refused_unless_allowed(stack: Any, fresh: Any) -> None:
    args = {**AS, "path": "NOTES.md", "content": "x\n", "message": "m", "branch": "main"}
    message = await stack.error("create_or_update_file", args)
    assert "main is the default branch of netops/automation-scripts" in message
    assert fresh.requests("PUT /repos/netops/automation-scripts/contents/NOTES.md") == 0
    written = await stack.data("create_or_update_file", {**args, "allow_default_branch": True})
    assert written["created"] is True and written["branch"] == "main"


async def test_a_protected_branch_says_why(stack: Any, fresh: Any) -> None:
    message = await stack.error(
        "create_or_update_file",
        {
            **NC,
            "path": "templates/ntp.j2",
            "content": "x\n",
            "message": "m",
            "branch": "main",
            "allow_default_branch": True,
        },
    )
    assert message == "GitHub answered HTTP 409: Changes must be made through a pull request."


async def test_an_archived_repository_is_read_only(stack: Any, fresh: Any) -> None:
    args = {
        "owner": "netops",
        "repo": "legacy-ansible",
        "path": "x.yml",
        "content": "x\n",
        "message": "m",
        "branch": "main",
        "allow_default_branch": True,
    }
    message = await stack.error("create_or_update_file", args)
    assert message == "GitHub answered HTTP 403: Repository was archived so is read-only."


async def test_an_unknown_branch_is_a_clear_404(stack: Any, fresh: Any) -> None:
    message = await stack.error(
        "create_or_update_file",
        {**AS, "path": "x.md", "content": "x\n", "message": "m", "branch": "nope"},
    )
    assert "branch nope of netops/automation-scripts was not found" in message


SECRETS = {
    "private key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n",
    "GitHub token": "GH_TOKEN = 'ghp_" + "A1b2C3d4" * 5 + "'\n",
    "AWS access key": "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
    "device password": "hostname x\nenable secret 0 Cisco123!\n",
    "password literal": 'DB = {"password": "s3cr3t-passw0rd"}\n',
}


@pytest.mark.parametrize("kind", SECRETS)
async def test_content_that_looks_like_a_secret_is_refused_before_github(
    stack: Any, fresh: Any, kind: str
) -> None:
    message = await stack.error(
        "create_or_update_file",
        {**AS, "path": "leak.txt", "content": SECRETS[kind], "message": "oops", "branch": "x"},
    )
    assert f"content looks like it contains a secret: {kind}" in message
    secret_line = SECRETS[kind].strip().splitlines()[-1]
    assert secret_line not in message and "Nothing was sent to GitHub" in message
    assert fresh.stats()["total"] == 0


async def test_template_variables_are_not_secrets(stack: Any, branch: str) -> None:
    template = "enable secret {{ enable_secret }}\nsnmp-server community {{ ro }} RO\n"
    written = await stack.data(
        "create_or_update_file",
        {
            **AS,
            "path": "templates/base.j2",
            "content": template,
            "message": "Base template",
            "branch": branch,
        },
    )
    assert written["created"] is True


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../b", ".git/hooks/pre-commit"])
async def test_unsafe_paths_are_refused_before_github(stack: Any, fresh: Any, path: str) -> None:
    await stack.error(
        "create_or_update_file", {**AS, "path": path, "content": "x", "message": "m", "branch": "x"}
    )
    assert fresh.stats()["total"] == 0
