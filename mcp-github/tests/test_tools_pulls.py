"""Pull request tools through the full chain: list, read with files, open."""

from __future__ import annotations

from typing import Any

NC = {"owner": "netops", "repo": "network-configs"}
AS = {"owner": "netops", "repo": "automation-scripts"}


async def test_list_pull_requests(stack: Any, fresh: Any) -> None:
    pulls = await stack.data("list_pull_requests", NC)
    assert pulls["next_page"] is None
    (pull,) = pulls["pull_requests"]
    assert pull["number"] == 4 and pull["head"] == "feature/ntp-update" and pull["base"] == "main"
    assert pull["author"] == "alice-neteng" and pull["merged"] is False and pull["draft"] is False
    by_head = await stack.data("list_pull_requests", {**NC, "head": "feature/ntp-update"})
    assert [p["number"] for p in by_head["pull_requests"]] == [4]
    other = await stack.data("list_pull_requests", {**NC, "base": "develop", "state": "all"})
    assert other["pull_requests"] == []
    closed = await stack.data("list_pull_requests", {**NC, "state": "closed"})
    assert closed["pull_requests"] == []


async def test_get_pull_request_summarises_the_changed_files(stack: Any, fresh: Any) -> None:
    pull = await stack.data("get_pull_request", {**NC, "number": 4})
    assert pull["title"] == "Update NTP servers to 10.0.0.123/10.0.1.123"
    assert pull["mergeable"] is True and pull["commits"] == 1 and pull["changed_files"] == 3
    assert [(f["filename"], f["status"]) for f in pull["files"]] == [
        ("changes/ntp-update.md", "added"),
        ("devices/par-acc-01.cfg.j2", "modified"),
        ("templates/ntp.j2", "modified"),
    ]
    assert pull["additions"] == sum(f["additions"] for f in pull["files"]) == 6
    assert pull["deletions"] == 2 and pull["files_truncated"] is False
    assert all(f["patch"] is None for f in pull["files"])
    assert pull["head_sha"] and "Fixes #1" in pull["body"]


async def test_get_pull_request_includes_patches_on_request(stack: Any, fresh: Any) -> None:
    pull = await stack.data("get_pull_request", {**NC, "number": 4, "include_patches": True})
    ntp = next(f for f in pull["files"] if f["filename"] == "templates/ntp.j2")
    assert ntp["patch"].startswith("@@") and "+ntp server 10.0.0.123 prefer" in ntp["patch"]


async def test_get_pull_request_404_for_an_issue_number(stack: Any, fresh: Any) -> None:
    message = await stack.error("get_pull_request", {**NC, "number": 1})
    assert message.startswith("pull request #1 of netops/network-configs was not found")


async def test_create_pull_request_targets_the_default_branch(stack: Any, fresh: Any) -> None:
    await stack.data("create_branch", {**AS, "branch": "docs/readme"})
    with fresh.api() as gh:
        readme = gh.get("/repos/netops/automation-scripts/contents/README.md").json()["sha"]
    await stack.data(
        "create_or_update_file",
        {
            **AS,
            "path": "README.md",
            "content": "# automation-scripts\n\nRun with uv.\n",
            "message": "Explain how to run",
            "branch": "docs/readme",
            "sha": readme,
        },
    )
    pull = await stack.data(
        "create_pull_request",
        {
            **AS,
            "title": "Explain how to run",
            "head": "docs/readme",
            "body": "Docs only.",
            "draft": True,
        },
    )
    assert pull["number"] == 7 and pull["base"] == "main" and pull["draft"] is True
    assert pull["changed_files"] == 1 and pull["additions"] == 1 and pull["state"] == "open"
    listed = await stack.data("list_pull_requests", AS)
    assert [p["number"] for p in listed["pull_requests"]] == [7, 6]


async def test_create_pull_request_reports_githubs_reasons(stack: Any, fresh: Any) -> None:
    duplicate = await stack.error(
        "create_pull_request",
        {**NC, "title": "again", "head": "feature/ntp-update", "base": "main"},
    )
    assert duplicate == (
        "GitHub answered HTTP 422: Validation Failed (A pull request already "
        "exists for netops:feature/ntp-update.)"
    )
    await stack.data("create_branch", {**AS, "branch": "empty"})
    empty = await stack.error("create_pull_request", {**AS, "title": "x", "head": "empty"})
    assert empty.endswith("(No commits between main and empty)")
    missing = await stack.error("create_pull_request", {**AS, "title": "x", "head": "ghost"})
    assert missing.endswith("(head is invalid)")


async def test_create_pull_request_refuses_a_secret_in_the_body(stack: Any, fresh: Any) -> None:
    message = await stack.error(
        "create_pull_request",
        {
            **AS,
            "title": "x",
            "head": "fix/timeout-handling",
            "body": "key:\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n",
        },
    )
    assert "body looks like it contains a secret: private key (line 2)" in message
    assert fresh.stats()["total"] == 0
