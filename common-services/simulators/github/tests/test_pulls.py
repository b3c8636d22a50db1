"""Pull requests: list, read with merge state and diff stats, changed files, open."""

from __future__ import annotations

import base64

import httpx
import pytest

NC = "/repos/netops/network-configs"
AS = "/repos/netops/automation-scripts"


def branch_with_commit(gh: httpx.Client, name: str) -> str:
    sha = gh.get(f"{AS}/branches/main").json()["commit"]["sha"]
    gh.post(f"{AS}/git/refs", json={"ref": f"refs/heads/{name}", "sha": sha}).raise_for_status()
    gh.put(
        f"{AS}/contents/{name}.md",
        json={"message": "m", "branch": name, "content": base64.b64encode(b"x\n").decode()},
    )
    return name


def test_list_and_filter(gh: httpx.Client) -> None:
    pulls = gh.get(f"{NC}/pulls").json()
    assert [p["number"] for p in pulls] == [4]
    pull = pulls[0]
    assert pull["head"]["ref"] == "feature/ntp-update" and pull["head"]["label"] == (
        "netops:feature/ntp-update"
    )
    assert pull["base"]["ref"] == "main" and pull["base"]["repo"]["full_name"] == (
        "netops/network-configs"
    )
    assert "merged" not in pull and pull["draft"] is False  # list items are not full objects
    for params in (
        {"head": "netops:feature/ntp-update"},
        {"head": "feature/ntp-update"},
        {"base": "main"},
        {"state": "all"},
    ):
        assert [p["number"] for p in gh.get(f"{NC}/pulls", params=params).json()] == [4]
    for params in ({"head": "someone:feature/ntp-update"}, {"state": "closed"}, {"base": "x"}):
        assert gh.get(f"{NC}/pulls", params=params).json() == []
    assert gh.get(f"{NC}/pulls", params={"state": "merged"}).status_code == 422


def test_a_pull_request_has_its_merge_state_and_diff_stats(gh: httpx.Client) -> None:
    pull = gh.get(f"{NC}/pulls/4").json()
    assert pull["merged"] is False and pull["mergeable"] is True
    assert pull["mergeable_state"] == "clean" and pull["comments"] == 1
    assert (pull["commits"], pull["additions"], pull["deletions"], pull["changed_files"]) == (
        1,
        6,
        2,
        3,
    )
    assert gh.get(f"{NC}/pulls/1").status_code == 404  # an issue, not a pull request


def test_changed_files_carry_patches(gh: httpx.Client) -> None:
    files = gh.get(f"{NC}/pulls/4/files").json()
    assert [(f["filename"], f["status"], f["additions"], f["deletions"]) for f in files] == [
        ("changes/ntp-update.md", "added", 3, 0),
        ("devices/par-acc-01.cfg.j2", "modified", 1, 0),
        ("templates/ntp.j2", "modified", 2, 2),
    ]
    ntp = files[2]["patch"]
    assert ntp.startswith("@@ -1,3 +1,3 @@") and "-ntp server {{ ntp_primary }} prefer" in ntp
    assert "+ntp server 10.0.0.123 prefer" in ntp and files[2]["changes"] == 4
    one = gh.get(f"{NC}/pulls/4/files", params={"per_page": 1})
    assert len(one.json()) == 1 and 'rel="next"' in one.headers["link"]


def test_the_head_follows_new_commits(gh: httpx.Client) -> None:
    before = gh.get(f"{AS}/pulls/6").json()
    path = f"{AS}/contents/scripts/extra.py"
    gh.put(
        path,
        json={
            "message": "more",
            "branch": "fix/timeout-handling",
            "content": base64.b64encode(b"X = 1\n").decode(),
        },
    ).raise_for_status()
    after = gh.get(f"{AS}/pulls/6").json()
    assert after["head"]["sha"] != before["head"]["sha"]
    assert (after["commits"], after["changed_files"]) == (2, 2)


def test_open_a_pull_request(gh: httpx.Client) -> None:
    head = branch_with_commit(gh, "docs/x")
    response = gh.post(
        f"{AS}/pulls",
        json={
            "title": "Docs",
            "head": f"netops:{head}",
            "base": "main",
            "body": "b",
            "draft": True,
        },
    )
    assert response.status_code == 201
    pull = response.json()
    assert (
        pull["number"] == 7
        and pull["draft"] is True
        and pull["user"]["login"] == ("mcp-platform-bot")
    )
    assert response.headers["location"].endswith(f"{AS}/pulls/7")
    assert gh.get(f"{AS}/issues/7").json()["pull_request"]["merged_at"] is None


def test_a_second_pull_request_for_the_same_branches_is_refused(gh: httpx.Client) -> None:
    response = gh.post(
        f"{NC}/pulls", json={"title": "t", "head": "feature/ntp-update", "base": "main"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "resource": "PullRequest",
            "code": "custom",
            "message": "A pull request already exists for netops:feature/ntp-update.",
        }
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"title": "t", "head": "main", "base": "main"},
            {
                "resource": "PullRequest",
                "code": "custom",
                "message": "No commits between main and main",
            },
        ),
        (
            {"title": "t", "head": "ghost", "base": "main"},
            {"resource": "PullRequest", "field": "head", "code": "invalid"},
        ),
        (
            {"title": "t", "head": "fix/timeout-handling", "base": "ghost"},
            {"resource": "PullRequest", "field": "base", "code": "invalid"},
        ),
        (
            {"title": "t", "head": "fork:fix/timeout-handling", "base": "main"},
            {"resource": "PullRequest", "field": "head", "code": "invalid"},
        ),
        (
            {"head": "fix/timeout-handling", "base": "main"},
            {"resource": "PullRequest", "field": "title", "code": "missing_field"},
        ),
    ],
)
def test_invalid_pull_requests_are_validation_failed(
    gh: httpx.Client, body: dict[str, str], expected: dict[str, str]
) -> None:
    response = gh.post(f"{AS}/pulls", json=body)
    assert response.status_code == 422 and response.json()["errors"] == [expected]


def test_head_and_base_are_required(gh: httpx.Client) -> None:
    response = gh.post(f"{AS}/pulls", json={"title": "t", "base": "main"})
    assert response.json()["message"] == 'Invalid request.\n\n"head" wasn\'t supplied.'
