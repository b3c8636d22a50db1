"""Choice lists (value, label) shared by several tables of the simulated dictionary."""

from __future__ import annotations

__all__ = [
    "APPROVAL",
    "CHANGE_STATES",
    "IMPACT",
    "INCIDENT_STATES",
    "INSTALL",
    "OPERATIONAL",
    "PRIORITY",
    "Choices",
]

Choices = tuple[tuple[str, str], ...]

INCIDENT_STATES: Choices = (
    ("1", "New"), ("2", "In Progress"), ("3", "On Hold"),
    ("6", "Resolved"), ("7", "Closed"), ("8", "Canceled"),
)  # fmt: skip
CHANGE_STATES: Choices = (
    ("-5", "New"), ("-4", "Assess"), ("-3", "Authorize"), ("-2", "Scheduled"),
    ("-1", "Implement"), ("0", "Review"), ("3", "Closed"), ("4", "Canceled"),
)  # fmt: skip
IMPACT: Choices = (("1", "1 - High"), ("2", "2 - Medium"), ("3", "3 - Low"))
PRIORITY: Choices = (
    ("1", "1 - Critical"), ("2", "2 - High"), ("3", "3 - Moderate"),
    ("4", "4 - Low"), ("5", "5 - Planning"),
)  # fmt: skip
APPROVAL: Choices = (
    ("not requested", "Not Yet Requested"), ("requested", "Requested"),
    ("approved", "Approved"), ("rejected", "Rejected"), ("cancelled", "Cancelled"),
    ("not_required", "No Longer Required"),
)  # fmt: skip
OPERATIONAL: Choices = (
    ("1", "Operational"), ("2", "Non-Operational"), ("3", "Repair in Progress"),
    ("4", "DR Standby"), ("5", "Ready"), ("6", "Retired"),
)  # fmt: skip
INSTALL: Choices = (
    ("1", "Installed"), ("2", "On Order"), ("3", "In Maintenance"), ("4", "Pending Install"),
    ("5", "Pending Repair"), ("6", "In Stock"), ("7", "Retired"), ("100", "Absent"),
)  # fmt: skip
