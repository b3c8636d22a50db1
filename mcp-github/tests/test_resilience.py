"""Every tool through the full chain when GitHub misbehaves: 429/403 rate limits, 5xx."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable
from typing import Any

import pytest

AS = {"owner": "netops", "repo": "automation-scripts"}
_unique = itertools.count(1)


def _branch_with_a_commit(sim: Any) -> str:
    """A new branch of automation-scripts one commit ahead of main (made directly)."""
    name = f"res/pr-{next(_unique)}"
    with sim.api() as gh:
        main = gh.get("/repos/netops/automation-scripts/branches/main").json()["commit"]["sha"]
        gh.post(
            "/repos/netops/automation-scripts/git/refs",
            json={"ref": f"refs/heads/{name}", "sha": main},
        ).raise_for_status()
        gh.put(
            f"/repos/netops/automation-scripts/contents/{name}.md",
            json={"message": "m", "content": base64.b64encode(b"x").decode(), "branch": name},
        ).raise_for_status()
    return name


CALLS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "list_repositories": lambda sim: {"owner": "netops"},
    "get_repository": lambda sim: AS,
    "get_file_contents": lambda sim: {**AS, "path": "README.md"},
    "search_issues": lambda sim: {"query": "timeout"},
    "list_issues": lambda sim: AS,
    "get_issue": lambda sim: {**AS, "number": 1},
    "list_pull_requests": lambda sim: AS,
    "get_pull_request": lambda sim: {**AS, "number": 6},
    "create_issue": lambda sim: {**AS, "title": "Flaky backups"},
    "add_issue_comment": lambda sim: {**AS, "number": 1, "body": "again"},
    "update_issue": lambda sim: {**AS, "number": 2, "labels": ["automation"]},
    "create_branch": lambda sim: {**AS, "branch": f"res/branch-{next(_unique)}"},
    "create_or_update_file": lambda sim: {
        **AS,
        "path": f"notes/{next(_unique)}.md",
        "content": "n\n",
        "message": "m",
        "branch": "fix/timeout-handling",
    },
    "create_pull_request": lambda sim: {
        **AS,
        "title": "t",
        "head": _branch_with_a_commit(sim),
        "base": "main",
    },
}


@pytest.fixture(scope="module")
def sim(simulator: Any) -> Any:
    """Seeded data once for the module (every call above stays valid when repeated)."""
    simulator.reset()
    return simulator


async def run(stack: Any, sim: Any, tool: str, fault: dict[str, Any]) -> Any:
    """Build a valid call first (it may set data up), then clear counters and arm the fault."""
    args = CALLS[tool](sim)
    sim.clear_faults()
    sim.clear_stats()
    sim.fault(path_prefix="/", **fault)
    return await stack.call(tool, args)


@pytest.mark.parametrize("tool", CALLS)
async def test_a_429_with_retry_after_is_retried_and_the_call_succeeds(
    stack: Any, sim: Any, tool: str
) -> None:
    result = await run(stack, sim, tool, {"status": 429, "retry_after": 0})
    assert not result.is_error, result.content
    assert sim.clear_faults() == 0  # the fault was met...
    first = next(iter(sim.stats()["requests"]))
    assert sim.requests(first) >= 2, sim.stats()  # ...and the request sent again


@pytest.mark.parametrize("tool", CALLS)
async def test_a_403_secondary_rate_limit_is_retried_and_the_call_succeeds(
    stack: Any, sim: Any, tool: str
) -> None:
    result = await run(stack, sim, tool, {"status": 403, "retry_after": 0})
    assert not result.is_error, result.content
    assert sim.clear_faults() == 0
    assert sum(sim.stats()["requests"].values()) >= 2


@pytest.mark.parametrize("tool", CALLS)
async def test_a_5xx_is_a_clear_error_and_the_next_call_works_again(
    stack: Any, sim: Any, tool: str
) -> None:
    result = await run(stack, sim, tool, {"status": 500})
    assert result.is_error
    assert " ".join(p.text for p in result.content) == "github returned HTTP 500"
    await stack.data(tool, CALLS[tool](sim))  # no fault left: it works again


async def test_a_rate_limit_that_lasts_is_a_clear_error_naming_the_wait(
    stack: Any, sim: Any
) -> None:
    result = await run(
        stack, sim, "get_repository", {"status": 403, "retry_after": 120, "count": None}
    )
    text = " ".join(p.text for p in result.content)
    assert text == "GitHub secondary rate limit exceeded (HTTP 403); retry in 120 s"
    assert sim.stats()["total"] == 1  # 120 s is over the 30 s the server waits at most
    sim.clear_faults()


async def test_an_exhausted_primary_rate_limit_is_not_hammered(stack: Any, sim: Any) -> None:
    sim.clear_stats()
    sim.rate_limit(remaining=0, reset_in=3600)
    text = await stack.error("list_issues", AS)
    assert text.startswith("GitHub primary rate limit exceeded (HTTP 403); retry in 36")
    assert sim.stats()["total"] == 1
    sim.rate_limit(remaining=5000, reset_in=3600)
