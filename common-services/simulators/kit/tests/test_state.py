"""SimulatorState: `reset()` forgets tokens, faults, stats and counters, then the rest."""

from __future__ import annotations

from simulator_kit import SessionTokens, SimulatorState


class _State(SimulatorState):
    def __init__(self) -> None:
        super().__init__(SessionTokens(60.0))
        self.resets = 0
        self.reset()

    def _reset(self) -> None:
        self.resets += 1
        self.jobs: list[str] = []


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
