"""RequestStats: counts per `METHOD /path`, views per path and per route, filters."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from simulator_kit.stats import RequestStats


def test_concurrent_requests_are_all_counted() -> None:
    stats = RequestStats()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: stats.record("GET", "/x"), range(2000)))
    assert stats.per_path() == {"/x": 2000} and stats.total() == 2000


def test_views_per_path_per_route_and_filtered() -> None:
    stats = RequestStats()
    for method, path in [("GET", "/a"), ("POST", "/a"), ("GET", "/a/b"), ("GET", "/c")]:
        stats.record(method, path)
    assert stats.per_path() == {"/a": 2, "/a/b": 1, "/c": 1}
    assert stats.per_route() == {"GET /a": 1, "GET /a/b": 1, "GET /c": 1, "POST /a": 1}
    view = stats.snapshot("get", "/a")
    assert (view["total"], view["count"]) == (4, 2)
    stats.clear()
    assert stats.total() == 0


def test_paths_are_normalised_before_counting() -> None:
    stats = RequestStats(lambda path: re.sub(r"/\d+", "/{id}", path))
    stats.record("GET", "/items/1")
    stats.record("GET", "/items/2")
    assert stats.per_route() == {"GET /items/{id}": 2}
