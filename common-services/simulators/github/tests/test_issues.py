"""Issues (pull requests included), comments, labels and assignees."""

from __future__ import annotations

import httpx
import pytest

NC = "/repos/netops/network-configs"
AS = "/repos/netops/automation-scripts"


def test_the_list_holds_open_issues_and_pull_requests_newest_first(gh: httpx.Client) -> None:
    issues = gh.get(f"{NC}/issues").json()
    assert [(i["number"], "pull_request" in i) for i in issues] == [
        (4, True),
        (2, False),
        (1, False),
    ]
    first = issues[2]
    assert first["title"] == "par-acc-01: NTP configuration drift" and first["comments"] == 2
    assert [label["name"] for label in first["labels"]] == ["bug", "network"]
    assert first["labels"][0]["color"] == "d73a4a" and first["assignee"]["login"] == "alice-neteng"
    assert first["user"]["login"] == "carol-sre" and first["author_association"] == "MEMBER"
    assert first["url"].endswith(f"{NC}/issues/1") and first["state_reason"] is None


@pytest.mark.parametrize(
    ("params", "numbers"),
    [
        ({"state": "closed"}, [3]),
        ({"state": "all", "labels": "network"}, [4, 1, 3]),
        ({"state": "all", "labels": "network,bug"}, [1]),
        ({"assignee": "none"}, [2]),
        ({"assignee": "*"}, [4, 1]),
        ({"assignee": "ALICE-NETENG"}, [4, 1]),
        ({"creator": "bob-dev"}, [2]),
        ({"state": "all", "sort": "created", "direction": "asc"}, [3, 1, 2, 4]),
        ({"sort": "comments"}, [1, 4, 2]),
        ({"since": "2024-02-27T00:00:00Z"}, [4]),
    ],
)
def test_list_filters(gh: httpx.Client, params: dict[str, str], numbers: list[int]) -> None:
    assert [i["number"] for i in gh.get(f"{NC}/issues", params=params).json()] == numbers


def test_an_invalid_state_is_422(gh: httpx.Client) -> None:
    response = gh.get(f"{NC}/issues", params={"state": "opened"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"resource": "Issue", "field": "state", "code": "invalid", "value": "opened"}
    ]


def test_get_an_issue_or_a_404(gh: httpx.Client) -> None:
    assert gh.get(f"{NC}/issues/4").json()["pull_request"]["url"].endswith(f"{NC}/pulls/4")
    for missing in ("99", "abc"):
        response = gh.get(f"{NC}/issues/{missing}")
        assert response.status_code == 404 and response.json()["message"] == "Not Found"


def test_create_an_issue_creating_unknown_labels(gh: httpx.Client) -> None:
    response = gh.post(
        f"{NC}/issues",
        json={
            "title": "  New device sjc-acc-03  ",
            "body": "Please add.",
            "labels": ["enhancement", "new-site"],
            "assignees": ["Bob-Dev"],
        },
    )
    assert response.status_code == 201
    issue = response.json()
    assert response.headers["location"] == issue["url"] and issue["number"] == 5
    assert (
        issue["title"] == "New device sjc-acc-03" and issue["user"]["login"] == "mcp-platform-bot"
    )
    assert [label["name"] for label in issue["labels"]] == ["enhancement", "new-site"]
    assert [a["login"] for a in issue["assignees"]] == ["bob-dev"]
    assert gh.get(f"{NC}/issues/5").json()["title"] == "New device sjc-acc-03"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, {"resource": "Issue", "field": "title", "code": "missing_field"}),
        ({"title": " "}, {"resource": "Issue", "field": "title", "code": "missing_field"}),
        ({"title": 5}, {"resource": "Issue", "field": "title", "code": "invalid", "value": 5}),
        (
            {"title": "t", "assignees": ["ghost"]},
            {"resource": "Issue", "field": "assignees", "code": "invalid", "value": "ghost"},
        ),
        (
            {"title": "t", "assignees": ["netops"]},
            {"resource": "Issue", "field": "assignees", "code": "invalid", "value": "netops"},
        ),
        (
            {"title": "t", "labels": "bug"},
            {"resource": "Issue", "field": "labels", "code": "invalid", "value": "bug"},
        ),
    ],
)
def test_invalid_issues_are_validation_failed(
    gh: httpx.Client, body: dict[str, object], error: dict[str, object]
) -> None:
    response = gh.post(f"{NC}/issues", json=body)
    assert response.status_code == 422
    assert response.json()["message"] == "Validation Failed"
    assert response.json()["errors"] == [error]


def test_close_with_a_reason_then_reopen(gh: httpx.Client) -> None:
    closed = gh.patch(f"{NC}/issues/2", json={"state": "closed", "state_reason": "not_planned"})
    assert closed.json()["state"] == "closed" and closed.json()["state_reason"] == "not_planned"
    assert closed.json()["closed_at"]
    reopened = gh.patch(f"{NC}/issues/2", json={"state": "open"}).json()
    assert reopened["state_reason"] == "reopened" and reopened["closed_at"] is None
    default = gh.patch(f"{NC}/issues/2", json={"state": "closed"}).json()
    assert default["state_reason"] == "completed"


def test_labels_and_assignees_are_replaced(gh: httpx.Client) -> None:
    updated = gh.patch(
        f"{NC}/issues/1",
        json={"labels": [{"name": "ops"}], "assignees": [], "title": "Drift", "body": None},
    ).json()
    assert [label["name"] for label in updated["labels"]] == ["ops"]
    assert updated["assignees"] == [] and updated["assignee"] is None
    assert updated["title"] == "Drift" and updated["body"] is None


@pytest.mark.parametrize(
    "body", [{"state": "done"}, {"state_reason": "wontfix"}, {"title": 1}, {"assignees": "x"}]
)
def test_invalid_updates_are_422(gh: httpx.Client, body: dict[str, object]) -> None:
    response = gh.patch(f"{NC}/issues/1", json=body)
    assert response.status_code == 422 and response.json()["message"] == "Validation Failed"


def test_comments_are_listed_oldest_first_and_added(gh: httpx.Client) -> None:
    comments = gh.get(f"{NC}/issues/1/comments").json()
    assert [c["user"]["login"] for c in comments] == ["alice-neteng", "carol-sre"]
    assert comments[0]["issue_url"].endswith(f"{NC}/issues/1")
    added = gh.post(f"{NC}/issues/1/comments", json={"body": "Closing soon."})
    assert added.status_code == 201 and added.json()["body"] == "Closing soon."
    assert added.json()["author_association"] == "MEMBER"
    assert gh.get(f"{NC}/issues/1").json()["comments"] == 3
    page = gh.get(f"{NC}/issues/1/comments", params={"per_page": 2, "page": 2}).json()
    assert [c["body"] for c in page] == ["Closing soon."]


def test_invalid_comments_are_422(gh: httpx.Client) -> None:
    missing = gh.post(f"{NC}/issues/1/comments", json={})
    assert missing.json()["message"] == 'Invalid request.\n\n"body" wasn\'t supplied.'
    blank = gh.post(f"{NC}/issues/1/comments", json={"body": "  "})
    assert blank.json()["errors"][0]["code"] == "missing_field"
    assert gh.post(f"{NC}/issues/77/comments", json={"body": "x"}).status_code == 404


def test_numbers_are_shared_by_issues_and_pull_requests(gh: httpx.Client) -> None:
    issue = gh.post(f"{AS}/issues", json={"title": "x"}).json()
    assert issue["number"] == 7  # 1-5 are issues, 6 is the pull request
