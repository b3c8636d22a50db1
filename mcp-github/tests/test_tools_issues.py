"""Issue tools through the full chain: search, list, read, create, comment, update."""

from __future__ import annotations

from typing import Any

import pytest

NC = {"owner": "netops", "repo": "network-configs"}
AS = {"owner": "netops", "repo": "automation-scripts"}
SUMMARY = {
    "number",
    "title",
    "state",
    "labels",
    "assignees",
    "author",
    "comments",
    "is_pull_request",
    "repository",
    "updated_at",
    "html_url",
}


async def test_search_finds_issues_and_pull_requests_across_repositories(
    stack: Any, fresh: Any
) -> None:
    found = await stack.data("search_issues", {"query": "ntp"})
    assert found["query"] == "ntp" and found["total_count"] == 2
    assert {(i["repository"], i["number"], i["is_pull_request"]) for i in found["items"]} == {
        ("netops/network-configs", 1, False),
        ("netops/network-configs", 4, True),
    }
    assert set(found["items"][0]) == SUMMARY


async def test_search_qualifiers_narrow_the_results(stack: Any, fresh: Any) -> None:
    found = await stack.data(
        "search_issues", {"query": "label:bug", **AS, "state": "open", "type": "issue"}
    )
    assert found["query"] == "label:bug repo:netops/automation-scripts is:open is:issue"
    assert [i["title"] for i in found["items"]] == ["Backups fail on NX-OS devices"]
    org = await stack.data("search_issues", {"query": "sjc-wlc-01", "owner": "netops"})
    assert [i["number"] for i in org["items"]] == [2]


async def test_search_is_paged(stack: Any, fresh: Any) -> None:
    first = await stack.data(
        "search_issues", {"query": "repo:netops/automation-scripts", "per_page": 4}
    )
    assert first["total_count"] == 6 and len(first["items"]) == 4 and first["next_page"] == 2
    second = await stack.data(
        "search_issues", {"query": "repo:netops/automation-scripts", "per_page": 4, "page": 2}
    )
    assert len(second["items"]) == 2 and second["next_page"] is None


async def test_search_arguments_are_checked_before_github(stack: Any, fresh: Any) -> None:
    assert "repo needs owner" in await stack.error("search_issues", {"query": "x", "repo": "y"})
    too_far = await stack.error("search_issues", {"query": "x", "page": 11, "per_page": 100})
    assert "first 1,000 results" in too_far
    assert "query" in await stack.error("search_issues", {"query": "   "})
    assert fresh.stats()["total"] == 0


async def test_list_issues_leaves_pull_requests_out_by_default(stack: Any, fresh: Any) -> None:
    issues = await stack.data("list_issues", NC)
    assert [i["number"] for i in issues["issues"]] == [2, 1]
    both = await stack.data("list_issues", {**NC, "include_pull_requests": True})
    assert [i["number"] for i in both["issues"]] == [4, 2, 1]
    assert both["issues"][0]["is_pull_request"] is True


async def test_list_issues_filters_and_pages(stack: Any, fresh: Any) -> None:
    closed = await stack.data("list_issues", {**NC, "state": "closed"})
    assert [i["title"] for i in closed["issues"]] == ["Rotate the SNMP community on lon-* devices"]
    labelled = await stack.data("list_issues", {**NC, "state": "all", "labels": ["network", "bug"]})
    assert [i["number"] for i in labelled["issues"]] == [1]
    mine = await stack.data("list_issues", {**NC, "assignee": "alice-neteng"})
    assert [i["number"] for i in mine["issues"]] == [1]
    nobody = await stack.data("list_issues", {**NC, "assignee": "none"})
    assert [i["number"] for i in nobody["issues"]] == [2]
    paging = {**AS, "state": "all", "per_page": 2, "sort": "created", "direction": "asc"}
    page = await stack.data("list_issues", {**paging, "include_pull_requests": True})
    assert [i["number"] for i in page["issues"]] == [6, 1] and page["next_page"] == 2
    # GitHub pages issues and pull requests together: leaving the pull request out of a page
    # keeps GitHub's paging (next_page still leads to the rest).
    filtered = await stack.data("list_issues", paging)
    assert [i["number"] for i in filtered["issues"]] == [1] and filtered["next_page"] == 2


async def test_get_issue_gives_body_and_comments(stack: Any, fresh: Any) -> None:
    issue = await stack.data("get_issue", {**NC, "number": 1})
    assert issue["title"] == "par-acc-01: NTP configuration drift"
    assert issue["labels"] == ["bug", "network"] and issue["assignees"] == ["alice-neteng"]
    assert "ntp server 10.0.0.1" in issue["body"] and issue["comments"] == 2
    assert [c["author"] for c in issue["comment_list"]] == ["alice-neteng", "carol-sre"]
    bare = await stack.data("get_issue", {**NC, "number": 1, "include_comments": False})
    assert bare["comment_list"] == []


async def test_get_issue_404_names_the_issue(stack: Any, fresh: Any) -> None:
    message = await stack.error("get_issue", {**NC, "number": 999})
    assert message.startswith("issue #999 of netops/network-configs was not found on GitHub")


async def test_create_issue_with_labels_and_assignees(stack: Any, fresh: Any) -> None:
    created = await stack.data(
        "create_issue",
        {
            **NC,
            "title": "lon-rtr-01: BGP flap",
            "body": "Seen at 02:00 UTC.",
            "labels": ["bug", "bgp"],
            "assignees": ["carol-sre"],
        },
    )
    assert created["number"] == 5 and created["state"] == "open"
    assert created["labels"] == ["bug", "bgp"] and created["assignees"] == ["carol-sre"]
    assert created["author"] == "mcp-platform-bot" and created["body"] == "Seen at 02:00 UTC."
    with fresh.api() as gh:
        assert gh.get("/repos/netops/network-configs/issues/5").json()["title"] == (
            "lon-rtr-01: BGP flap"
        )


async def test_create_issue_422_lists_what_github_refused(stack: Any, fresh: Any) -> None:
    message = await stack.error("create_issue", {**NC, "title": "x", "assignees": ["not-a-member"]})
    assert message == (
        "GitHub answered HTTP 422: Validation Failed (assignees ('not-a-member') is invalid)"
    )


async def test_create_issue_refuses_a_secret_in_the_body(stack: Any, fresh: Any) -> None:
    message = await stack.error(
        "create_issue", {**NC, "title": "creds", "body": "use token ghp_" + "x1Y2z3W4" * 5}
    )
    assert "body looks like it contains a secret: GitHub token (line 1)" in message
    assert fresh.stats()["total"] == 0


async def test_add_issue_comment(stack: Any, fresh: Any) -> None:
    comment = await stack.data("add_issue_comment", {**NC, "number": 1, "body": "Fixed by #4."})
    assert comment["issue"] == 1 and comment["id"] > 0
    issue = await stack.data("get_issue", {**NC, "number": 1})
    assert issue["comments"] == 3 and issue["comment_list"][-1]["body"] == "Fixed by #4."
    assert issue["comment_list"][-1]["author"] == "mcp-platform-bot"


async def test_add_issue_comment_on_a_missing_issue(stack: Any, fresh: Any) -> None:
    message = await stack.error("add_issue_comment", {**NC, "number": 77, "body": "hello"})
    assert "issue #77 of netops/network-configs was not found" in message


async def test_update_issue_closes_with_a_reason_and_reopens(stack: Any, fresh: Any) -> None:
    closed = await stack.data(
        "update_issue", {**NC, "number": 2, "state": "closed", "state_reason": "not_planned"}
    )
    assert closed["state"] == "closed" and closed["state_reason"] == "not_planned"
    assert closed["closed_at"] is not None
    reopened = await stack.data("update_issue", {**NC, "number": 2, "state": "open"})
    assert reopened["state"] == "open" and reopened["state_reason"] == "reopened"


async def test_update_issue_replaces_labels_and_assignees(stack: Any, fresh: Any) -> None:
    updated = await stack.data(
        "update_issue",
        {**NC, "number": 1, "labels": ["network"], "assignees": ["bob-dev", "carol-sre"]},
    )
    assert updated["labels"] == ["network"] and updated["assignees"] == ["bob-dev", "carol-sre"]
    cleared = await stack.data("update_issue", {**NC, "number": 1, "labels": [], "assignees": []})
    assert cleared["labels"] == [] and cleared["assignees"] == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [({}, "nothing to update"), ({"state_reason": "completed"}, "goes with state=closed")],
)
async def test_update_issue_arguments_are_checked_before_github(
    stack: Any, fresh: Any, args: dict[str, Any], expected: str
) -> None:
    message = await stack.error("update_issue", {**NC, "number": 1, **args})
    assert expected in message and fresh.stats()["total"] == 0


async def test_update_issue_on_an_archived_repository(stack: Any, fresh: Any) -> None:
    with fresh.api() as gh:  # the archived repository has no issue: a 404 comes first
        assert gh.get("/repos/netops/legacy-ansible/issues/1").status_code == 404
    message = await stack.error(
        "update_issue",
        {"owner": "netops", "repo": "legacy-ansible", "number": 1, "state": "closed"},
    )
    assert "issue #1 of netops/legacy-ansible was not found" in message
