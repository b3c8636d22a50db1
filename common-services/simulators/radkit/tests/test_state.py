"""The simulator's state object: its validation and its bounded memory."""

from __future__ import annotations

import pytest

from radkit_simulator import state as state_module
from radkit_simulator.state import RadkitState


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"service_id": ""}, "service_id"),
        ({"client_secret": ""}, "client_secret"),
        ({"token_ttl": 0}, "token_ttl"),
        ({"exec_polls": 0}, "exec_polls"),
    ],
)
def test_the_constructor_validates(option: dict[str, object], message: str) -> None:
    arguments = {"service_id": "s-1-2", "client_id": "c", "client_secret": "x", **option}
    with pytest.raises(ValueError, match=message):
        RadkitState(**arguments)  # type: ignore[arg-type]


def test_old_requests_and_command_logs_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state_module, "_JOB_LIMIT", 3)
    monkeypatch.setattr(state_module, "_LOG_LIMIT", 4)
    state = RadkitState(service_id="s-1-2", client_id="c", client_secret="x")
    jobs = [state.start_exec(["par-acc-01"], ["show clock"], 5).id for _ in range(5)]
    assert list(state.jobs) == jobs[2:]
    assert state.poll(jobs[0]) is None
    assert len(state.stats_view()["command_log"]) == 4
    assert state.stats_view()["commands_run"] == 5
