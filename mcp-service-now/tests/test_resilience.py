"""Every tool through the full chain when ServiceNow misbehaves: 429, 5xx, expired tokens."""

from __future__ import annotations

from typing import Any

import pytest

TOOLS = [
    "search_incidents", "get_incident", "create_incident", "update_incident",
    "resolve_incident", "search_changes", "get_change", "get_change_approvals",
    "create_change", "update_change", "lookup_ci", "get_ci_relations",
]  # fmt: skip


def call_of(tool: str, change: str) -> dict[str, Any]:
    """A valid call of `tool`; `change` is an open change to update."""
    return {
        "search_incidents": {"state": ["in_progress"]},
        "get_incident": {"incident": "INC0010001"},
        "create_incident": {"short_description": "Printer on fire"},
        "update_incident": {"incident": "INC0010001", "work_notes": "looking"},
        "resolve_incident": {"incident": "INC0010001", "close_code": "Solution provided",
                             "close_notes": "rebooted"},
        "search_changes": {"state": ["closed"]},
        "get_change": {"change": "CHG0030001"},
        "get_change_approvals": {"change": "CHG0030001"},
        "create_change": {"short_description": "x", "implementation_plan": "a",
                          "backout_plan": "b"},
        "update_change": {"change": change, "work_notes": "n"},
        "lookup_ci": {"name": "par-core"},
        "get_ci_relations": {"ci": "par-core-01"},
    }[tool]  # fmt: skip


@pytest.fixture(scope="module")
def open_change(simulator: Any) -> str:
    """An open change for update_change (the seeded one is closed, hence read-only)."""
    simulator.reset()
    with simulator.basic() as sn:
        response = sn.post("/api/sn_chg_rest/v1/change/normal", json={"short_description": "o"})
        response.raise_for_status()
        return str(response.json()["result"]["number"]["value"])


@pytest.fixture
def ready(stack: Any, simulator: Any, open_change: str) -> tuple[Any, str]:
    """No fault armed, counters at zero (data is not reset: every call stays valid)."""
    simulator.clear_faults()
    simulator.clear_stats()
    return simulator, open_change


@pytest.mark.parametrize("tool", TOOLS)
async def test_429_is_retried_and_the_call_succeeds(
    stack: Any, ready: tuple[Any, str], tool: str
) -> None:
    sim, change = ready
    sim.fault(path_prefix="/api", status=429, retry_after=0)
    await stack.data(tool, call_of(tool, change))
    assert sim.admin("faults/clear")["cleared"] == 0  # the fault was met...
    first = next(iter(sim.stats()["requests"]))
    assert sim.requests(first) >= 2, sim.stats()  # ...and the request sent again


@pytest.mark.parametrize("tool", TOOLS)
async def test_a_5xx_is_a_clear_error_and_the_next_call_works_again(
    stack: Any, ready: tuple[Any, str], tool: str
) -> None:
    sim, change = ready
    sim.fault(path_prefix="/api", status=500)
    message = await stack.error(tool, call_of(tool, change))
    assert message == "servicenow returned HTTP 500"
    # A success closes the failure streak, so the circuit breaker stays closed.
    await stack.data(tool, call_of(tool, change))


@pytest.mark.parametrize("tool", TOOLS)
async def test_an_expired_oauth_token_is_refreshed_transparently(
    stack: Any, ready: tuple[Any, str], tool: str
) -> None:
    sim, change = ready
    await stack.data("search_incidents", {"limit": 1})  # the server holds a token
    assert sim.expire_tokens() >= 1
    sim.clear_stats()
    await stack.data(tool, call_of(tool, change))
    assert sim.requests("POST /oauth_token.do") == 1  # one refresh, then the call went through
