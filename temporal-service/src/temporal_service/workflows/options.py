"""Timeouts and retry policies of the workflow's activities, one line per activity."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

__all__ = ["ACTIVITY_OPTIONS", "retry_policy"]


def retry_policy(attempts: int, first: float = 1.0, most: float = 30.0) -> RetryPolicy:
    """Exponential backoff, bounded attempts; refusals (ToolCallRefused) are never retried."""
    return RetryPolicy(
        initial_interval=timedelta(seconds=first),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=most),
        maximum_attempts=attempts,
        non_retryable_error_types=["ToolCallRefused"],
    )


# Per activity: (start-to-close timeout, retry policy). Writes retry longer: they are
# idempotent, and giving up leaves a change for people to tidy. The deployment's own
# timeout and heartbeat come from the request's Timings (see the workflow).
ACTIVITY_OPTIONS: dict[str, tuple[timedelta, RetryPolicy]] = {
    "validate_deployment": (timedelta(minutes=5), retry_policy(5)),
    "open_change": (timedelta(minutes=2), retry_policy(10)),
    "get_approval": (timedelta(minutes=1), retry_policy(5)),
    "cancel_change": (timedelta(minutes=2), retry_policy(10)),
    "start_implementation": (timedelta(minutes=2), retry_policy(10)),
    "verify_deployment": (timedelta(minutes=5), retry_policy(5)),
    "close_change": (timedelta(minutes=2), retry_policy(10)),
    "render_deployment": (timedelta(minutes=5), retry_policy(5)),
    "check_approval": (timedelta(minutes=2), retry_policy(10)),
}
