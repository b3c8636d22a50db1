"""State under concurrency: counters, fault counts and tokens stay exact across threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from mcp_sandbox.catalyst_center.faults import Fault
from mcp_sandbox.catalyst_center.state import CatalystCenterState


def _state() -> CatalystCenterState:
    return CatalystCenterState(username="admin", password="pw", token_ttl=60, task_polls=1)


def test_concurrent_requests_are_all_counted() -> None:
    state = _state()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: state.record("GET", "/x"), range(2000)))
    assert state.stats()["requests"] == {"/x": 2000}


def test_a_fault_is_served_exactly_count_times_under_contention() -> None:
    state = _state()
    state.faults.append(Fault("/dna", 503, count=50))
    with ThreadPoolExecutor(8) as pool:
        served = list(pool.map(lambda _: state.take_fault("GET", "/dna/x"), range(400)))
    assert sum(1 for f in served if f is not None) == 50
    assert state.faults == []


def test_concurrent_logins_issue_distinct_valid_tokens() -> None:
    state = _state()
    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(lambda _: state.issue_token(), range(200)))
    assert len(set(tokens)) == 200
    assert all(state.token_valid(t) for t in tokens)
    assert state.expire_tokens() == 200
    assert not state.token_valid(tokens[0])


def test_a_task_completes_once_and_runs_its_completion_once() -> None:
    state = _state()
    calls: list[int] = []
    task = state.new_task("T", "running", "done", on_done=lambda: calls.append(1))
    for _ in range(5):
        state.poll_task(task.id)
    assert task.done and calls == [1]
