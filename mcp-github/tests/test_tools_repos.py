"""Repository and file reading tools through the full chain (IdP, server, policy, simulator)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from simulator_kit.network import DEVICES

NC = {"owner": "netops", "repo": "network-configs"}


async def test_list_repositories_of_an_organisation_is_paged(stack: Any, fresh: Any) -> None:
    first = await stack.data(
        "list_repositories", {"owner": "netops", "sort": "full_name", "per_page": 2}
    )
    names = [r["full_name"] for r in first["repositories"]]
    assert names == ["netops/automation-scripts", "netops/legacy-ansible"]
    assert first["owner"] == "netops" and first["next_page"] == 2
    rest = await stack.data(
        "list_repositories", {"owner": "netops", "sort": "full_name", "page": 2, "per_page": 2}
    )
    assert [r["full_name"] for r in rest["repositories"]] == [
        "netops/mcp-platform",
        "netops/network-configs",
    ]
    assert rest["next_page"] is None


async def test_list_repositories_filters_by_visibility(stack: Any, fresh: Any) -> None:
    private = await stack.data("list_repositories", {"owner": "netops", "visibility": "private"})
    assert [r["full_name"] for r in private["repositories"]] == ["netops/mcp-platform"]
    assert private["repositories"][0]["private"] is True


async def test_list_repositories_of_a_user_and_of_the_token(stack: Any, fresh: Any) -> None:
    bob = await stack.data("list_repositories", {"owner": "bob-dev"})
    assert [r["full_name"] for r in bob["repositories"]] == ["bob-dev/dotfiles"]
    mine = await stack.data("list_repositories", {})
    assert mine["owner"] is None and len(mine["repositories"]) == 4
    assert all(r["full_name"].startswith("netops/") for r in mine["repositories"])


async def test_list_repositories_of_an_unknown_account_is_a_clear_404(
    stack: Any, fresh: Any
) -> None:
    message = await stack.error("list_repositories", {"owner": "nobody-here"})
    assert "account nobody-here was not found on GitHub" in message


async def test_get_repository_gives_the_details(stack: Any, fresh: Any) -> None:
    repo = await stack.data("get_repository", NC)
    assert repo["full_name"] == "netops/network-configs" and repo["default_branch"] == "main"
    assert repo["topics"] == ["network", "templates"] and repo["can_push"] is True
    assert repo["open_issues"] == 3 and repo["archived"] is False
    legacy = await stack.data("get_repository", {"owner": "netops", "repo": "legacy-ansible"})
    assert legacy["archived"] is True and legacy["can_push"] is False


async def test_get_repository_404_names_the_repository(stack: Any, fresh: Any) -> None:
    message = await stack.error("get_repository", {"owner": "netops", "repo": "nope"})
    assert message == (
        "repository netops/nope was not found on GitHub (or the platform's token cannot see it)"
    )


@pytest.mark.parametrize(
    ("owner", "repo"), [("-netops", "x"), ("net ops", "x"), ("netops", "a/b"), ("netops", "..")]
)
async def test_invalid_names_are_refused_before_github_is_reached(
    stack: Any, fresh: Any, owner: str, repo: str
) -> None:
    message = await stack.error("get_repository", {"owner": owner, "repo": repo})
    assert "owner" in message or "repo" in message
    assert fresh.stats()["total"] == 0


async def test_get_file_contents_decodes_text_and_gives_the_sha(stack: Any, fresh: Any) -> None:
    path = "devices/par-acc-01.cfg.j2"
    result = await stack.data("get_file_contents", {**NC, "path": path})
    assert result["type"] == "file" and result["path"] == path
    assert result["text"].startswith("! par-acc-01 - C9300-48U (ACCESS)")
    assert "hostname par-acc-01" in result["text"] and result["truncated"] is False
    with fresh.api() as gh:
        raw = gh.get(f"/repos/netops/network-configs/contents/{path}").json()
    assert result["sha"] == raw["sha"] and result["size"] == len(base64.b64decode(raw["content"]))


async def test_get_file_contents_reads_another_ref(stack: Any, fresh: Any) -> None:
    main = await stack.data("get_file_contents", {**NC, "path": "templates/ntp.j2"})
    branch = await stack.data(
        "get_file_contents", {**NC, "path": "templates/ntp.j2", "ref": "feature/ntp-update"}
    )
    assert "{{ ntp_primary }}" in main["text"] and "10.0.0.123" in branch["text"]
    assert branch["ref"] == "feature/ntp-update" and branch["sha"] != main["sha"]


async def test_get_file_contents_lists_a_directory(stack: Any, fresh: Any) -> None:
    root = await stack.data("get_file_contents", {**NC})
    assert root["type"] == "dir" and root["text"] is None
    assert {"devices", "templates", "README.md"} <= {e["name"] for e in root["entries"]}
    devices = await stack.data("get_file_contents", {**NC, "path": "devices/"})
    assert len(devices["entries"]) == len(DEVICES)
    entry = next(e for e in devices["entries"] if e["name"] == "par-acc-01.cfg.j2")
    assert entry["path"] == "devices/par-acc-01.cfg.j2" and entry["type"] == "file"
    assert entry["size"] > 300


async def test_get_file_contents_cuts_long_text(stack: Any, fresh: Any) -> None:
    result = await stack.data("get_file_contents", {**NC, "path": "reports/interface-audit.csv"})
    assert result["truncated"] is True and len(result["text"]) == 20_000
    assert result["size"] > 20_000 and result["text"].startswith("hostname,interface")


async def test_get_file_contents_refuses_binary_files(stack: Any, fresh: Any) -> None:
    message = await stack.error("get_file_contents", {**NC, "path": "docs/topology.png"})
    assert "docs/topology.png is a binary file" in message


async def test_get_file_contents_404_names_the_path(stack: Any, fresh: Any) -> None:
    message = await stack.error("get_file_contents", {**NC, "path": "devices/xyz.cfg"})
    assert "path 'devices/xyz.cfg' in netops/network-configs was not found" in message
    message = await stack.error(
        "get_file_contents", {**NC, "path": "README.md", "ref": "no-such-branch"}
    )
    assert "path 'README.md' at no-such-branch" in message


@pytest.mark.parametrize(
    "path",
    [
        "../secrets",
        "devices/../../etc/passwd",
        "/etc/passwd",
        "a//b",
        ".git/config",
        "dev\\ices",
        "a/./b",
        "x\x00y",
    ],
)
async def test_get_file_contents_refuses_unsafe_paths_before_github(
    stack: Any, fresh: Any, path: str
) -> None:
    message = await stack.error("get_file_contents", {**NC, "path": path})
    assert "path" in message
    assert fresh.stats()["total"] == 0


async def test_get_file_contents_refuses_a_malformed_ref(stack: Any, fresh: Any) -> None:
    message = await stack.error(
        "get_file_contents", {**NC, "path": "README.md", "ref": "main..evil"}
    )
    assert "not a valid git ref name" in message and fresh.stats()["total"] == 0
