"""Authentication: Bearer or `token` scheme, GitHub's 401 body, headers on every answer."""

from __future__ import annotations

import time

import httpx
import pytest
from starlette.testclient import TestClient

from github_simulator import create_github_app

REPO = "/repos/netops/network-configs"


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", "token wrong", "Basic {t}", "Bearer", "Bearer{t}"]
)
def test_missing_or_wrong_credentials_get_githubs_401(
    anon: httpx.Client, token: str, header: str | None
) -> None:
    headers = {"Authorization": header.format(t=token)} if header else {}
    response = anon.get(REPO, headers=headers)
    assert response.status_code == 401
    assert response.json() == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }
    assert "x-ratelimit-remaining" not in response.headers


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "token", "Token"])
def test_both_token_schemes_are_accepted(anon: httpx.Client, token: str, scheme: str) -> None:
    response = anon.get(REPO, headers={"Authorization": f"{scheme} {token}"})
    assert response.status_code == 200 and response.json()["name"] == "network-configs"


def test_every_answer_carries_rate_limit_and_github_headers(gh: httpx.Client) -> None:
    first = gh.get(REPO)
    second = gh.get(f"{REPO}/issues/999")
    assert second.status_code == 404
    assert first.headers["x-ratelimit-limit"] == "5000"
    assert first.headers["x-ratelimit-resource"] == "core"
    assert int(first.headers["x-ratelimit-remaining"]) == 4999
    assert int(second.headers["x-ratelimit-remaining"]) == 4998
    assert second.headers["x-ratelimit-used"] == "2"
    assert 3500 < int(first.headers["x-ratelimit-reset"]) - time.time() <= 3601
    assert first.headers["x-github-api-version-selected"] == "2022-11-28"
    assert len(first.headers["x-github-request-id"]) == 20


def test_the_viewer_is_the_tokens_owner(gh: httpx.Client) -> None:
    me = gh.get("/user").json()
    assert me["login"] == "mcp-platform-bot" and me["type"] == "User"


def test_the_sandbox_routes_need_no_token_and_can_be_left_out(anon: httpx.Client) -> None:
    assert anon.get("/sandbox/health").json() == {"status": "ok"}
    client = TestClient(create_github_app(token="x", admin=False))
    assert client.get("/sandbox/health").status_code == 404
    assert client.post("/sandbox/reset").status_code == 404


def test_the_factory_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="token"):
        create_github_app(token=" ")
    with pytest.raises(ValueError, match="rate limits"):
        create_github_app(token="x", core_limit=0)


def test_unknown_routes_and_methods_are_githubs_404(gh: httpx.Client) -> None:
    for response in (gh.get("/nothing/here"), gh.delete(REPO)):
        assert response.status_code == 404
        assert response.json()["message"] == "Not Found"
