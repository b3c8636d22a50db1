"""Accounts, repositories, pagination, branches, commits and git references."""

from __future__ import annotations

import httpx
import pytest

NC = "/repos/netops/network-configs"
AS = "/repos/netops/automation-scripts"


def test_a_repository_has_githubs_shape(gh: httpx.Client) -> None:
    repo = gh.get(NC).json()
    assert repo["full_name"] == "netops/network-configs" and repo["name"] == "network-configs"
    assert repo["owner"]["login"] == "netops" and repo["owner"]["type"] == "Organization"
    assert repo["default_branch"] == "main" and repo["visibility"] == "public"
    assert repo["url"].endswith(NC) and repo["open_issues_count"] == 3
    assert repo["permissions"]["push"] is True and repo["archived"] is False
    assert isinstance(repo["id"], int) and repo["node_id"]


def test_names_are_case_insensitive_and_unknown_ones_404(gh: httpx.Client) -> None:
    assert gh.get("/repos/NetOps/Network-Configs").json()["name"] == "network-configs"
    missing = gh.get("/repos/netops/nope")
    assert missing.status_code == 404 and missing.json()["message"] == "Not Found"


def test_organisation_repositories_are_paged_with_a_link_header(gh: httpx.Client) -> None:
    first = gh.get("/orgs/netops/repos", params={"per_page": 1, "sort": "full_name"})
    assert [r["name"] for r in first.json()] == ["automation-scripts"]
    links = first.headers["link"]
    assert 'page=2&per_page=1>; rel="next"' in links and 'page=4&per_page=1>; rel="last"' in links
    middle = gh.get("/orgs/netops/repos", params={"per_page": 1, "page": 2, "sort": "full_name"})
    assert [r["name"] for r in middle.json()] == ["legacy-ansible"]
    assert 'rel="prev"' in middle.headers["link"] and 'rel="first"' in middle.headers["link"]
    last = gh.get("/orgs/netops/repos", params={"per_page": 1, "page": 4, "sort": "full_name"})
    assert 'rel="next"' not in last.headers["link"]
    whole = gh.get("/orgs/netops/repos", params={"per_page": 100})
    assert len(whole.json()) == 4 and "link" not in whole.headers


def test_bad_paging_values_are_ignored_and_pages_past_the_end_are_empty(
    gh: httpx.Client,
) -> None:
    default = gh.get("/orgs/netops/repos", params={"per_page": "abc", "page": "x"})
    assert len(default.json()) == 4
    assert gh.get("/orgs/netops/repos", params={"per_page": 3, "page": 9}).json() == []


def test_repository_lists_filter_by_type_and_owner(gh: httpx.Client) -> None:
    private = gh.get("/orgs/netops/repos", params={"type": "private"}).json()
    assert [r["name"] for r in private] == ["mcp-platform"]
    assert gh.get("/orgs/bob-dev/repos").status_code == 404  # a user, not an organisation
    assert [r["full_name"] for r in gh.get("/users/bob-dev/repos").json()] == ["bob-dev/dotfiles"]
    mine = gh.get("/user/repos", params={"visibility": "public"}).json()
    assert {r["owner"]["login"] for r in mine} == {"netops"} and len(mine) == 3


def test_branches_and_a_branch(gh: httpx.Client) -> None:
    branches = gh.get(f"{NC}/branches").json()
    assert [(b["name"], b["protected"]) for b in branches] == [
        ("feature/ntp-update", False),
        ("main", True),
    ]
    main = gh.get(f"{NC}/branches/main").json()
    assert main["commit"]["sha"] == branches[1]["commit"]["sha"]
    assert main["commit"]["commit"]["message"] == "Add AAA template"
    assert gh.get(f"{NC}/branches", params={"protected": "true"}).json()[0]["name"] == "main"
    missing = gh.get(f"{NC}/branches/nope")
    assert missing.status_code == 404 and missing.json()["message"] == "Branch not found"


def test_commits_are_listed_newest_first_and_filtered_by_path(gh: httpx.Client) -> None:
    commits = gh.get(f"{NC}/commits").json()
    assert [c["commit"]["message"] for c in commits] == [
        "Add AAA template",
        "Initial import of device templates",
    ]
    assert commits[0]["parents"][0]["sha"] == commits[1]["sha"]
    assert commits[0]["author"]["login"] == "carol-sre"
    on_branch = gh.get(f"{NC}/commits", params={"sha": "feature/ntp-update"}).json()
    assert len(on_branch) == 3
    ntp = gh.get(f"{NC}/commits", params={"sha": "feature/ntp-update", "path": "templates/ntp.j2"})
    assert len(ntp.json()) == 2
    assert gh.get(f"{NC}/commits", params={"sha": "nope"}).status_code == 404


def test_a_commit_carries_its_files_and_stats(gh: httpx.Client) -> None:
    sha = gh.get(f"{NC}/branches/main").json()["commit"]["sha"]
    commit = gh.get(f"{NC}/commits/{sha}").json()
    assert [f["filename"] for f in commit["files"]] == ["templates/aaa.j2"]
    assert commit["files"][0]["status"] == "added" and commit["stats"]["additions"] == 2
    assert gh.get(f"{NC}/commits/{sha[:7]}").json()["sha"] == sha  # short shas resolve
    unknown = gh.get(f"{NC}/commits/{'0' * 40}")
    assert unknown.status_code == 422 and unknown.json()["message"].startswith("No commit found")


def test_creating_a_branch_with_a_ref(gh: httpx.Client) -> None:
    sha = gh.get(f"{AS}/branches/main").json()["commit"]["sha"]
    created = gh.post(f"{AS}/git/refs", json={"ref": "refs/heads/feat/x", "sha": sha})
    assert created.status_code == 201
    assert created.json()["ref"] == "refs/heads/feat/x"
    assert created.json()["object"] == {
        "sha": sha,
        "type": "commit",
        "url": created.json()["object"]["url"],
    }
    assert gh.get(f"{AS}/git/ref/heads/feat/x").json()["object"]["sha"] == sha
    again = gh.post(f"{AS}/git/refs", json={"ref": "refs/heads/feat/x", "sha": sha})
    assert again.status_code == 422 and again.json()["message"] == "Reference already exists"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"sha": "a" * 40}, 'Invalid request.\n\n"ref" wasn\'t supplied.'),
        ({"ref": "refs/heads/x"}, 'Invalid request.\n\n"sha" wasn\'t supplied.'),
        ({"ref": "heads/x", "sha": "a" * 40}, "Reference name must start with 'refs/'"),
        ({"ref": "refs/heads/a..b", "sha": "a" * 40}, "refs/heads/a..b is not a valid ref name."),
        ({"ref": "refs/heads/x", "sha": "a" * 40}, "Object does not exist"),
    ],
)
def test_invalid_refs_are_422(gh: httpx.Client, body: dict[str, str], message: str) -> None:
    response = gh.post(f"{AS}/git/refs", json=body)
    assert response.status_code == 422 and response.json()["message"].startswith(message)


def test_an_archived_repository_refuses_writes(gh: httpx.Client) -> None:
    sha = gh.get("/repos/netops/legacy-ansible/branches/main").json()["commit"]["sha"]
    response = gh.post(
        "/repos/netops/legacy-ansible/git/refs", json={"ref": "refs/heads/x", "sha": sha}
    )
    assert response.status_code == 403
    assert response.json()["message"] == "Repository was archived so is read-only."


def test_malformed_json_bodies_are_400(gh: httpx.Client) -> None:
    bad = gh.post(
        f"{AS}/issues", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400 and bad.json()["message"] == "Problems parsing JSON"
    listed = gh.post(f"{AS}/issues", json=["title"])
    assert listed.status_code == 400 and listed.json()["message"] == "Body should be a JSON object"


def test_the_rate_limit_endpoint_costs_nothing(gh: httpx.Client) -> None:
    before = gh.get("/rate_limit").json()
    after = gh.get("/rate_limit").json()
    assert before["resources"]["core"]["used"] == after["resources"]["core"]["used"] == 0
    assert after["resources"]["search"]["limit"] == 30 and after["rate"]["limit"] == 5000
