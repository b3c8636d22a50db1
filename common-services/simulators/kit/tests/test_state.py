"""SimulatorState: `reset()` forgets tokens, faults, stats and counters, then the rest."""

from __future__ import annotations

from typing import Any

from simulator_kit import SessionTokens, SimulatorState


class _State(SimulatorState):
    def __init__(self) -> None:
        super().__init__(SessionTokens(60.0))
        self.resets = 0
        self.reset()

    def _reset(self) -> None:
        self.resets += 1
        self.jobs: list[str] = []

    def _stats_view(self) -> dict[str, Any]:
        return {"jobs": len(self.jobs)}


def test_reset_forgets_the_shared_state_and_resets_the_simulators_own() -> None:
    state = _State()
    token = state.tokens.issue()
    state.count_login(True)
    state.count_login(False)
    state.jobs.append("job")
    assert state.tokens.valid(token)
    assert (state.counters["logins"], state.counters["login_failures"]) == (1, 1)

    state.reset()

    assert not state.tokens.valid(token)
    assert state.counters == {}
    assert state.jobs == []
    assert state.resets == 2


def test_locked_holds_the_state_lock_reentrantly() -> None:
    state = _State()
    with state.locked(), state.locked():
        state.count_login(True)
    assert state.counters["logins"] == 1


def test_the_stats_view_has_the_shared_counters_and_the_simulators_own() -> None:
    state = _State()
    state.count_login(True)
    state.jobs.append("job")
    view = state.stats_view()
    assert (view["logins"], view["login_failures"], view["faults_served"]) == (1, 0, 0)
    assert (view["total_requests"], view["jobs"]) == (0, 1)


def test_the_controls_act_on_this_state() -> None:
    state = _State()
    token = state.tokens.issue()
    controls = state.controls()
    assert controls.expire_tokens is not None and controls.expire_tokens() == 1
    assert not state.tokens.valid(token)
    assert controls.faults is state.faults and controls.stats is state.stats
    controls.reset()
    assert state.resets == 2
