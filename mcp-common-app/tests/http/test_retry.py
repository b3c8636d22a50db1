"""RetryPolicy: the retry options of backend HTTP, validated once; the jittered backoff."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from mcp_common.http import BackendSettings, RetryPolicy


def test_the_defaults_are_those_of_the_backend_settings() -> None:
    fields = BackendSettings.model_fields
    policy = RetryPolicy()
    assert policy.retries == fields["backend_retries"].default
    assert policy.backoff == fields["backend_backoff"].default
    assert policy.max_retry_after == fields["backend_max_retry_after"].default
    assert policy.max_backoff == 5.0


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"retries": -1}, r"^retries must be >= 0, got -1$"),
        ({"backoff": -0.1}, r"^backoff must be >= 0 seconds, got -0.1$"),
        ({"max_backoff": -1.0}, r"^max_backoff must be >= 0 seconds, got -1.0$"),
        ({"max_retry_after": -1}, r"^max_retry_after must be >= 0 seconds, got -1$"),
        ({"backoff": float("nan")}, r"^backoff must be >= 0 seconds, got nan$"),
    ],
)
def test_each_bad_value_is_refused_by_name(option: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**option)


def test_zero_is_allowed_everywhere_no_retries_and_no_waiting() -> None:
    policy = RetryPolicy(retries=0, backoff=0, max_backoff=0, max_retry_after=0)
    assert policy.backoff_delay(3) == 0.0


def test_a_policy_is_a_frozen_value() -> None:
    policy = RetryPolicy(retries=1)
    assert policy == RetryPolicy(retries=1) and hash(policy) == hash(RetryPolicy(retries=1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.retries = 5  # type: ignore[misc]


def test_backoff_is_jittered_and_capped() -> None:
    policy = RetryPolicy(backoff=0.2, max_backoff=1.0)
    delays = [policy.backoff_delay(attempt) for attempt in range(1, 10) for _ in range(50)]
    assert all(0.0 <= d <= 1.0 for d in delays)
    assert max(delays) > 0.5  # grows past the base once attempts add up
    first = RetryPolicy(backoff=0.2, max_backoff=5.0)
    assert all(0.0 <= first.backoff_delay(1) <= 0.2 for _ in range(50))
    assert len({first.backoff_delay(1) for _ in range(50)}) > 1  # jittered, not fixed
