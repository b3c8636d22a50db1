"""The REST client against the simulator: auth, paging, rate limits, errors, configuration."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from mcp_common.errors import ConfigurationError, SecretNotFound, UpstreamError
from mcp_common.http import RetryPolicy
from mcp_common.testing import StaticSecretStore
from mcp_github.client import GitHubClient, Page
from mcp_github.errors import (
    GitHubConflict,
    GitHubError,
    GitHubNotFound,
    GitHubRateLimited,
    GitHubValidationError,
)

PATH = "api/github"
REPO = "/repos/netops/network-configs"


@pytest.fixture
async def client(fresh: Any) -> AsyncIterator[GitHubClient]:
    store = StaticSecretStore({PATH: fresh.secret()})
    gh = GitHubClient(store, retry=RetryPolicy(retries=2, backoff=0.01))
    yield gh
    await gh.aclose()


async def test_the_token_is_sent_as_a_bearer_token(client: GitHubClient) -> None:
    repo = await client.get(REPO)
    assert repo["full_name"] == "netops/network-configs"


async def test_lists_are_paged_with_the_link_header(client: GitHubClient) -> None:
    first = await client.get_page("/orgs/netops/repos", page=1, per_page=3)
    assert isinstance(first, Page) and len(first.items) == 3 and first.next_page == 2
    last = await client.get_page("/orgs/netops/repos", page=2, per_page=3)
    assert len(last.items) == 1 and last.next_page is None
    names = {r["name"] for r in first.items + last.items}
    assert names == {"network-configs", "automation-scripts", "mcp-platform", "legacy-ansible"}


async def test_search_pages_carry_the_total_count(client: GitHubClient) -> None:
    page = await client.get_page(
        "/search/issues", params={"q": "is:issue"}, per_page=2, items_key="items"
    )
    assert page.total is not None and page.total > 2 and len(page.items) == 2 and page.has_next


async def test_page_size_is_bounded(client: GitHubClient) -> None:
    with pytest.raises(ValueError, match=r"per_page must be 1\.\.100"):
        await client.get_page("/orgs/netops/repos", per_page=101)


async def test_404_names_what_was_not_found(client: GitHubClient) -> None:
    with pytest.raises(GitHubNotFound) as caught:
        await client.get("/repos/netops/nope", what="repository netops/nope")
    assert caught.value.status == 404
    assert str(caught.value).startswith("repository netops/nope was not found on GitHub")
    with pytest.raises(GitHubNotFound, match="GitHub answered HTTP 404: Not Found"):
        await client.get("/repos/netops/nope")


async def test_422_lists_githubs_errors(client: GitHubClient) -> None:
    with pytest.raises(GitHubValidationError) as caught:
        await client.send("POST", f"{REPO}/issues", {"body": "no title"})
    assert str(caught.value) == "GitHub answered HTTP 422: Validation Failed (title is required)"
    assert caught.value.details == ["title is required"]


async def test_409_carries_githubs_message(client: GitHubClient, fresh: Any) -> None:
    stale = "0" * 40
    with pytest.raises(GitHubConflict, match=f"README.md does not match {stale}"):
        await client.send(
            "PUT",
            "/repos/netops/automation-scripts/contents/README.md",
            {"message": "m", "content": "eA==", "branch": "fix/timeout-handling", "sha": stale},
        )


async def test_a_wrong_token_is_a_clear_401_without_the_token(fresh: Any) -> None:
    wrong = "ghp_" + "W" * 36
    gh = GitHubClient(StaticSecretStore({PATH: {**fresh.secret(), "token": wrong}}))
    with pytest.raises(GitHubError) as caught:
        await gh.get(REPO)
    await gh.aclose()
    assert caught.value.status == 401
    assert str(caught.value) == (
        "GitHub answered HTTP 401: GitHub refused the platform's token (secret 'api/github')"
    )
    assert wrong not in str(caught.value)


async def test_a_rotated_token_is_used_at_once(fresh: Any) -> None:
    store = StaticSecretStore({PATH: {**fresh.secret(), "token": "ghp_old"}})
    gh = GitHubClient(store)
    with pytest.raises(GitHubError):
        await gh.get(REPO)
    store.set(PATH, fresh.secret())
    assert (await gh.get(REPO))["name"] == "network-configs"
    await gh.aclose()


async def test_a_secondary_rate_limit_is_waited_out(client: GitHubClient, fresh: Any) -> None:
    fresh.fault(path_prefix="/repos", status=403, retry_after=0, count=2)
    assert (await client.get(REPO))["name"] == "network-configs"
    assert fresh.requests(f"GET {REPO}") == 3


async def test_a_primary_rate_limit_is_waited_out_until_its_reset(
    client: GitHubClient, fresh: Any
) -> None:
    fresh.rate_limit(remaining=0, reset_in=0.5)
    started = time.monotonic()
    assert (await client.get(REPO))["name"] == "network-configs"
    assert time.monotonic() - started >= 0.4
    assert fresh.requests(f"GET {REPO}") == 2


async def test_rate_limits_over_the_longest_wait_fail_at_once(fresh: Any) -> None:
    gh = GitHubClient(
        StaticSecretStore({PATH: fresh.secret()}), retry=RetryPolicy(max_retry_after=5)
    )
    fresh.fault(path_prefix="/repos", status=429, retry_after=60, count=None)
    with pytest.raises(GitHubRateLimited) as caught:
        await gh.get(REPO)
    assert str(caught.value) == "GitHub rate limit exceeded (HTTP 429); retry in 60 s"
    assert caught.value.retry_after == 60 and fresh.requests(f"GET {REPO}") == 1
    fresh.clear_faults()
    fresh.rate_limit(remaining=0, reset_in=600, resource="search")
    with pytest.raises(GitHubRateLimited, match=r"primary rate limit exceeded \(HTTP 403\)"):
        await gh.get("/search/issues", params={"q": "x"})
    await gh.aclose()


async def test_a_403_that_is_not_a_rate_limit_is_not_retried(
    client: GitHubClient, fresh: Any
) -> None:
    with pytest.raises(GitHubError, match="HTTP 403: Repository was archived so is read-only"):
        await client.send("POST", "/repos/netops/legacy-ansible/issues", {"title": "x"})
    assert fresh.requests("POST /repos/netops/legacy-ansible/issues") == 1


async def test_5xx_become_upstream_errors(client: GitHubClient, fresh: Any) -> None:
    fresh.fault(path_prefix="/repos", status=500)
    with pytest.raises(UpstreamError, match="github returned HTTP 500"):
        await client.get(REPO)
    fresh.fault(path_prefix="/repos", status=502)  # idempotent reads are retried
    assert (await client.get(REPO))["name"] == "network-configs"


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ({"token": "t"}, "secret 'api/github' lacks base_url"),
        ({"base_url": "http://x"}, "secret 'api/github' lacks token"),
        ({"base_url": "ftp://x", "token": "t"}, "base_url must be an http(s) URL"),
        ({"base_url": "http://x", "token": "a\r\nX-Evil: 1"}, "token contains whitespace"),
        ({"base_url": "http://x", "token": "t", "verify_tls": "maybe"}, "verify_tls must be"),
    ],
)
async def test_a_bad_secret_is_a_configuration_error_without_values(
    secret: dict[str, str], message: str
) -> None:
    gh = GitHubClient(StaticSecretStore({PATH: secret}))
    with pytest.raises(ConfigurationError, match=re.escape(message)) as caught:
        await gh.get(REPO)
    assert "a\r\nX-Evil" not in str(caught.value)


async def test_a_missing_secret_is_reported() -> None:
    with pytest.raises(SecretNotFound):
        await GitHubClient(StaticSecretStore({})).get(REPO)


async def test_a_response_that_is_not_json_is_an_upstream_error() -> None:
    store = StaticSecretStore({PATH: {"base_url": "https://gh.example", "token": "t"}})
    # respx mocks httpx's own (httpcore) transport, not the default aiohttp pool.
    gh = GitHubClient(store, retry=RetryPolicy(retries=0), transport=httpx.AsyncHTTPTransport())
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"https://gh.example{REPO}").mock(
            return_value=httpx.Response(200, text="<html>proxy login</html>")
        )
        with pytest.raises(UpstreamError, match="github returned a response that is not JSON"):
            await gh.get(REPO)
    await gh.aclose()


def test_constructor_validates_its_arguments() -> None:
    store = StaticSecretStore({})
    with pytest.raises(ValueError, match="secret_path"):
        GitHubClient(store, secret_path="/")
    with pytest.raises(ValueError, match="timeout"):
        GitHubClient(store, timeout=0)
