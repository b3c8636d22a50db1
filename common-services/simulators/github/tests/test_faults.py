"""Fault injection (rate limits with Retry-After, 5xx, delays), primary limits, stats, reset."""

from __future__ import annotations

import time

import httpx
import pytest

REPO = "/repos/netops/network-configs"


def arm(anon: httpx.Client, **fault: object) -> None:
    response = anon.post("/sandbox/faults", json=fault)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("status", [403, 429])
def test_403_and_429_faults_are_secondary_rate_limits_with_retry_after(
    anon: httpx.Client, gh: httpx.Client, status: int
) -> None:
    arm(anon, path_prefix="/repos", status=status, retry_after=7, count=2)
    for _ in range(2):
        limited = gh.get(REPO)
        assert limited.status_code == status and limited.headers["retry-after"] == "7"
        assert limited.json()["message"].startswith("You have exceeded a secondary rate limit")
        assert limited.json()["documentation_url"].endswith("#about-secondary-rate-limits")
    assert gh.get(REPO).status_code == 200


def test_a_secondary_limit_without_retry_after_has_no_header(
    anon: httpx.Client, gh: httpx.Client
) -> None:
    arm(anon, path_prefix="/", status=403)
    assert "retry-after" not in gh.get(REPO).headers


def test_5xx_faults_hit_only_the_matching_prefix_and_method(
    anon: httpx.Client, gh: httpx.Client
) -> None:
    arm(anon, path_prefix=f"{REPO}/issues", status=502, count=2, method="post")
    assert gh.get(f"{REPO}/issues").status_code == 200
    statuses = [gh.post(f"{REPO}/issues", json={"title": "x"}).status_code for _ in range(3)]
    assert statuses == [502, 502, 201]
    arm(anon, path_prefix="/", status=500)
    failed = gh.get(REPO)
    assert failed.status_code == 500 and failed.json()["message"] == "Server Error"


def test_a_fault_without_count_lasts_until_cleared(anon: httpx.Client, gh: httpx.Client) -> None:
    arm(anon, path_prefix="/", status=503, count=None)
    assert [gh.get(REPO).status_code for _ in range(3)] == [503, 503, 503]
    assert anon.post("/sandbox/faults/clear").json() == {"cleared": 1}
    assert gh.get(REPO).status_code == 200


def test_a_delay_slows_the_request_then_serves_it(anon: httpx.Client, gh: httpx.Client) -> None:
    arm(anon, path_prefix=REPO, delay=0.3)
    started = time.perf_counter()
    assert gh.get(REPO).status_code == 200
    assert time.perf_counter() - started >= 0.3


@pytest.mark.parametrize(
    "fault",
    [
        {},
        {"path_prefix": "repos", "status": 500},
        {"path_prefix": "/", "status": 200},
        {"path_prefix": "/", "status": 500, "count": 0},
        {"path_prefix": "/"},
        {"path_prefix": "/", "status": 500, "colour": "red"},
    ],
)
def test_invalid_faults_are_400(anon: httpx.Client, fault: dict[str, object]) -> None:
    response = anon.post("/sandbox/faults", json=fault)
    assert response.status_code == 400 and response.json()["message"].startswith("Invalid fault")


def test_an_exhausted_primary_limit_is_a_403_with_remaining_zero(
    anon: httpx.Client, gh: httpx.Client
) -> None:
    state = anon.post("/sandbox/ratelimit", json={"remaining": 1, "reset_in": 60}).json()
    assert state["remaining"] == 1 and state["limit"] == 5000
    assert gh.get(REPO).headers["x-ratelimit-remaining"] == "0"
    refused = gh.get(REPO)
    assert refused.status_code == 403 and "retry-after" not in refused.headers
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert 58 <= int(refused.headers["x-ratelimit-reset"]) - time.time() <= 61
    assert refused.json()["message"].startswith("API rate limit exceeded for user ID ")
    assert gh.get("/search/issues", params={"q": "x"}).status_code == 200  # another bucket


def test_the_primary_limit_resets_after_its_window(anon: httpx.Client, gh: httpx.Client) -> None:
    anon.post("/sandbox/ratelimit", json={"remaining": 0, "reset_in": 0.2})
    assert gh.get(REPO).status_code == 403
    time.sleep(0.25)
    ok = gh.get(REPO)
    assert ok.status_code == 200 and ok.headers["x-ratelimit-remaining"] == "4999"


@pytest.mark.parametrize(
    "body", [{"resource": "graphql"}, {"remaining": -1}, {"reset_in": "soon"}, {"remaining": True}]
)
def test_invalid_rate_limit_settings_are_400(anon: httpx.Client, body: dict[str, object]) -> None:
    assert anon.post("/sandbox/ratelimit", json=body).status_code == 400


def test_stats_count_api_requests_only(anon: httpx.Client, gh: httpx.Client) -> None:
    gh.get(REPO)
    gh.get(REPO)
    gh.post(f"{REPO}/issues", json={"title": "x"})
    gh.get("/nothing")
    stats = anon.get("/sandbox/stats").json()
    assert stats["total"] == 4
    assert stats["requests"][f"GET {REPO}"] == 2 and stats["requests"]["GET /nothing"] == 1
    only_posts = anon.get("/sandbox/stats", params={"method": "POST", "path_prefix": REPO}).json()
    assert only_posts["count"] == 1
    anon.post("/sandbox/stats/clear")
    assert anon.get("/sandbox/stats").json()["total"] == 0


def test_reset_restores_the_seeded_data(anon: httpx.Client, gh: httpx.Client) -> None:
    gh.patch(f"{REPO}/issues/1", json={"state": "closed"})
    arm(anon, path_prefix="/", status=500, count=None)
    assert anon.post("/sandbox/reset").json() == {"reset": True}
    assert gh.get(f"{REPO}/issues/1").json()["state"] == "open"
