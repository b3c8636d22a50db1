"""`GET /search/issues`: words, qualifiers, sorting, paging and its own rate limit."""

from __future__ import annotations

import httpx
import pytest

from github_simulator.search import parse_query


def numbers(gh: httpx.Client, q: str, **params: str) -> list[tuple[str, int]]:
    body = gh.get("/search/issues", params={"q": q, **params}).json()
    return [(i["repository_url"].rsplit("/", 1)[-1], i["number"]) for i in body["items"]]


def test_results_have_githubs_shape(gh: httpx.Client) -> None:
    body = gh.get("/search/issues", params={"q": "ntp"}).json()
    assert body["total_count"] == 2 and body["incomplete_results"] is False
    assert {i["number"] for i in body["items"]} == {1, 4}
    assert all(i["score"] == 1.0 for i in body["items"])


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("repo:netops/network-configs is:pr", [("network-configs", 4)]),
        ("repo:netops/network-configs is:closed", [("network-configs", 3)]),
        ("repo:netops/network-configs type:issue state:open label:bug", [("network-configs", 1)]),
        ("org:netops author:carol-sre label:security", [("network-configs", 3)]),
        ("assignee:bob-dev", [("mcp-platform", 1)]),
        ('"WLAN profiles" in:title', [("network-configs", 2)]),
        ("confirmed in:comments", [("network-configs", 1)]),
        ("user:bob-dev", []),
        ("NX-OS no:assignee", [("automation-scripts", 1)]),
        ("unknown:qualifier", []),
    ],
)
def test_qualifiers(gh: httpx.Client, q: str, expected: list[tuple[str, int]]) -> None:
    assert numbers(gh, q) == expected


def test_sort_order_and_paging(gh: httpx.Client) -> None:
    oldest = numbers(gh, "repo:netops/automation-scripts", sort="created", order="asc")
    assert oldest[0] == ("automation-scripts", 6)
    page = gh.get("/search/issues", params={"q": "org:netops", "per_page": 3, "page": 2})
    assert len(page.json()["items"]) == 3 and page.json()["total_count"] == 11
    assert 'rel="next"' in page.headers["link"] and 'rel="prev"' in page.headers["link"]


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
def test_a_missing_query_is_422(gh: httpx.Client, params: dict[str, str]) -> None:
    response = gh.get("/search/issues", params=params)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"resource": "Search", "field": "q", "code": "missing"}]


def test_a_long_query_is_422(gh: httpx.Client) -> None:
    response = gh.get("/search/issues", params={"q": "x" * 257})
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "invalid"


def test_search_has_its_own_rate_limit_of_30_a_minute(gh: httpx.Client) -> None:
    searched = gh.get("/search/issues", params={"q": "x"})
    assert searched.headers["x-ratelimit-resource"] == "search"
    assert searched.headers["x-ratelimit-limit"] == "30"
    assert searched.headers["x-ratelimit-remaining"] == "29"
    assert gh.get("/repos/netops/network-configs").headers["x-ratelimit-remaining"] == "4999"


def test_unbalanced_quotes_are_plain_words() -> None:
    query = parse_query('"open quote repo:a/b')
    assert query.words == ['"open', "quote"] and query.repos == ["a/b"]
