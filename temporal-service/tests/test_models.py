"""Deployment requests say what is wrong with them instead of raising inside Temporal."""

from __future__ import annotations

from dataclasses import replace

import pytest

from temporal_service.models import STEPS, DeploymentRequest, DeployOutcome, Timings

REQUEST = DeploymentRequest(
    template_id="t", device_ids=["d1", "d2"], reason="because", requested_by="alice"
)


def test_a_complete_request_has_no_problem() -> None:
    assert REQUEST.problems() == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"template_id": ""}, "template_id is required"),
        ({"device_ids": []}, "at least one device"),
        ({"device_ids": ["d1", "d1"]}, "lists a device twice"),
        ({"reason": " "}, "a reason is required"),
        ({"requested_by": ""}, "requesting user is unknown"),
        ({"version": 0}, "version counts from 1"),
        ({"timings": Timings(approval_deadline_seconds=0)}, "deadline must be positive"),
    ],
)
def test_each_problem_is_named(change: dict[str, object], problem: str) -> None:
    problems = replace(REQUEST, **change).problems()  # type: ignore[arg-type]
    assert len(problems) == 1 and problem in problems[0]


def test_only_a_success_on_every_device_succeeds() -> None:
    assert DeployOutcome("SUCCESS").succeeded
    assert not DeployOutcome("PARTIAL_FAILURE").succeeded
    assert not DeployOutcome("FAILURE").succeeded


def test_the_default_approval_deadline_is_a_day() -> None:
    assert Timings().approval_deadline_seconds == 24 * 3600
    assert STEPS[0] == "validating" and STEPS[-1] == "closing_change"
