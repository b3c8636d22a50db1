"""ServiceNow choice values behind the names tools accept (states, risk, close codes...)."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "CHANGE_CLOSE_CODES",
    "CHANGE_STATES",
    "INCIDENT_CATEGORIES",
    "INCIDENT_CLOSE_CODES",
    "INCIDENT_STATES",
    "LEVELS",
    "RISKS",
    "ChangeCloseCode",
    "ChangeState",
    "ChangeTarget",
    "IncidentCategory",
    "IncidentCloseCode",
    "IncidentState",
    "IncidentTarget",
    "Level",
    "Risk",
]

IncidentState = Literal["new", "in_progress", "on_hold", "resolved", "closed", "canceled"]
INCIDENT_STATES: dict[str, str] = {
    "new": "1", "in_progress": "2", "on_hold": "3", "resolved": "6", "closed": "7",
    "canceled": "8",
}  # fmt: skip
# States update_incident may set; resolving has its own tool (close code and notes required).
IncidentTarget = Literal["new", "in_progress", "on_hold", "canceled"]

ChangeState = Literal[
    "new", "assess", "authorize", "scheduled", "implement", "review", "closed", "canceled"
]
CHANGE_STATES: dict[str, str] = {
    "new": "-5", "assess": "-4", "authorize": "-3", "scheduled": "-2", "implement": "-1",
    "review": "0", "closed": "3", "canceled": "4",
}  # fmt: skip
# "scheduled" is absent on purpose: only the CAB's approval moves a change there.
ChangeTarget = Literal["new", "assess", "authorize", "implement", "review", "closed", "canceled"]

Risk = Literal["very_high", "high", "moderate", "low"]
RISKS: dict[str, str] = {"very_high": "1", "high": "2", "moderate": "3", "low": "4"}

Level = Literal["high", "medium", "low"]
LEVELS: dict[str, str] = {"high": "1", "medium": "2", "low": "3"}

IncidentCategory = Literal["inquiry", "software", "hardware", "network", "database"]
INCIDENT_CATEGORIES: tuple[str, ...] = ("inquiry", "software", "hardware", "network", "database")

IncidentCloseCode = Literal[
    "Duplicate", "Known error", "No resolution provided", "Resolved by caller",
    "Resolved by change", "Resolved by problem", "Resolved by request", "Solution provided",
    "Workaround provided", "User error",
]  # fmt: skip
INCIDENT_CLOSE_CODES: tuple[str, ...] = get_args(IncidentCloseCode)

ChangeCloseCode = Literal["successful", "successful_issues", "unsuccessful"]
CHANGE_CLOSE_CODES: tuple[str, ...] = get_args(ChangeCloseCode)
