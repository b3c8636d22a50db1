"""Pagination as GitHub does it: per_page (default 30, max 100), page, and the Link header."""

from __future__ import annotations

from starlette.requests import Request

from github_simulator.paging import paginate


def request(query: str) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/x",
            "query_string": query.encode(),
            "headers": [(b"host", b"api.test")],
            "scheme": "http",
            "server": ("api.test", 80),
        }
    )


def test_the_default_page_holds_30_items() -> None:
    page, headers = paginate(request(""), list(range(75)))
    assert page == list(range(30))
    assert headers["Link"] == (
        '<http://api.test/x?page=2&per_page=30>; rel="next", '
        '<http://api.test/x?page=3&per_page=30>; rel="last"'
    )


def test_per_page_is_capped_at_100() -> None:
    page, headers = paginate(request("per_page=500"), list(range(250)))
    assert len(page) == 100 and 'page=3&per_page=100>; rel="last"' in headers["Link"]


def test_the_last_page_links_back_only() -> None:
    page, headers = paginate(request("per_page=10&page=3&state=all"), list(range(25)))
    assert page == list(range(20, 25))
    assert headers["Link"] == (
        '<http://api.test/x?state=all&page=2&per_page=10>; rel="prev", '
        '<http://api.test/x?state=all&page=1&per_page=10>; rel="first"'
    )


def test_one_page_needs_no_link() -> None:
    assert paginate(request("per_page=0"), [1, 2]) == ([1, 2], {})
