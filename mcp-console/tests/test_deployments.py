"""A deployment's status as a timeline: validated, change opened with its number, waiting
for approval, deploying, verified, then closed, rolled back or cancelled."""

from __future__ import annotations

from mcp_console.deployments import timeline


def _states(status: dict[str, object]) -> list[tuple[str, str]]:
    return [(s.label, s.state) for s in timeline(status).stages]


def test_waiting_for_approval_shows_the_change_number_and_may_be_cancelled() -> None:
    status = {
        "workflow_id": "template-deployment-1",
        "execution_status": "RUNNING",
        "step": "awaiting_approval",
        "ticket_id": "CHG0030001",
        "progress_percent": 30,
    }
    view = timeline(status)
    assert view.ticket_id == "CHG0030001" and view.cancellable and not view.finished
    assert _states(status) == [
        ("Validated", "done"),
        ("Change opened", "done"),
        ("Approved", "current"),
        ("Deploying", "pending"),
        ("Verified", "pending"),
        ("Closed", "pending"),
    ]
    assert view.stages[1].note == "CHG0030001" and view.progress == 30


def test_deploying_may_no_longer_be_cancelled() -> None:
    view = timeline({"execution_status": "RUNNING", "step": "deploying"})
    assert not view.cancellable and view.stages[3].state == "current"


def test_completed_is_closed_with_every_stage_done() -> None:
    view = timeline({"execution_status": "COMPLETED", "step": "done", "outcome": "completed"})
    assert view.finished and view.outcome_label == "Closed"
    assert all(s.state == "done" for s in view.stages)


def test_rolled_back_and_cancelled_end_in_red_after_the_stage_they_reached() -> None:
    rolled = _states({"execution_status": "COMPLETED", "outcome": "rolled_back"})
    assert rolled[-1] == ("Rolled back", "failed") and rolled[4] == ("Verified", "pending")
    cancelled = _states({"execution_status": "COMPLETED", "outcome": "canceled"})
    assert cancelled[-1] == ("Cancelled", "failed") and cancelled[2] == ("Approved", "pending")


def test_the_requesters_confirmation_comes_before_the_change_and_may_be_cancelled() -> None:
    view = timeline({"execution_status": "RUNNING", "step": "awaiting_confirmation"})
    assert view.cancellable and not view.finished
    assert [(s.label, s.state) for s in view.stages][:3] == [
        ("Validated", "done"),
        ("Change opened", "current"),
        ("Approved", "pending"),
    ]
    assert view.stages[1].note == "waiting for the requester's confirmation"


def test_a_template_changed_after_approval_stops_before_deploying() -> None:
    view = timeline({"execution_status": "COMPLETED", "outcome": "approval_mismatch"})
    states = [(s.label, s.state) for s in view.stages]
    assert view.outcome_label == "Not what was approved"
    assert states[2] == ("Approved", "done") and states[3] == ("Deploying", "pending")
    assert states[-1] == ("Not what was approved", "failed")
