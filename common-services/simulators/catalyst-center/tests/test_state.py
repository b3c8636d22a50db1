"""State: the stats view counts what the Gate saw, tasks complete exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from catalyst_center_simulator.state import CatalystCenterState
from simulator_kit import Fault


def _state() -> CatalystCenterState:
    return CatalystCenterState(username="admin", password="pw", token_ttl=60, task_polls=1)


def test_concurrent_requests_are_all_counted_per_path_and_method() -> None:
    state = _state()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: state.stats.record("GET", "/x"), range(2000)))
    view = state.stats_view()
    assert view["requests"] == {"/x": 2000}
    assert view["requests_by_method"] == {"GET /x": 2000}
    assert view["total_requests"] == 2000


def test_faults_served_and_active_tokens_show_in_the_stats() -> None:
    state = _state()
    state.faults.add(Fault("/dna", 503, count=2))
    state.faults.take("GET", "/dna/x")
    state.tokens.issue()
    view = state.stats_view()
    assert (view["faults_served"], view["active_tokens"]) == (1, 1)
    state.reset()
    view = state.stats_view()
    assert (view["faults_served"], view["active_tokens"]) == (0, 0)
    assert state.faults.pending() == []


def test_clearing_task_faults_drops_fail_next_and_hang_next() -> None:
    state = _state()
    state.fail_next.append("busy")
    state.hang_next = 2
    state.clear_task_faults()
    assert state.task_faults() == {"fail_next": [], "hang_next": 0}


def test_a_task_completes_once_and_runs_its_completion_once() -> None:
    state = _state()
    calls: list[int] = []
    task = state.new_task("T", "running", "done", on_done=lambda: calls.append(1))
    for _ in range(5):
        state.poll_task(task.id)
    assert task.done and calls == [1]
