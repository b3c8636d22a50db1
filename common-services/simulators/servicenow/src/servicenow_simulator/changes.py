"""Change request state model (normal, emergency, standard) and CAB approvals.

Normal: New -> Assess -> Authorize -> (CAB approves) Scheduled -> Implement -> Review -> Closed;
Canceled from any state but Review and Closed; Assess and Authorize may revert to New. Entering
Authorize asks every member of the CAB Approval group (sysapproval_approver, state requested).
An approval moves the change to Scheduled; a rejection sends it back to New (as the real
"Change - Normal - Authorize" flow does). Simplification: Assess has no peer approval step.
"""

from __future__ import annotations

from servicenow_simulator.errors import SNError, acl_denied, bad_request
from servicenow_simulator.schema import CHANGE_STATES, all_fields
from servicenow_simulator.seed import CAB_GROUP
from servicenow_simulator.state import Instance, Row, now_text

__all__ = ["after_update", "before_write", "decide", "state_label"]

NEW, ASSESS, AUTHORIZE, SCHEDULED, IMPLEMENT, REVIEW, CLOSED, CANCELED = (
    "-5", "-4", "-3", "-2", "-1", "0", "3", "4",
)  # fmt: skip
_TAIL = {SCHEDULED: {IMPLEMENT, CANCELED}, IMPLEMENT: {REVIEW, CANCELED}, REVIEW: {CLOSED},
         CLOSED: set(), CANCELED: set()}  # fmt: skip
_NEXT: dict[str, dict[str, set[str]]] = {
    "normal": {NEW: {ASSESS, CANCELED}, ASSESS: {AUTHORIZE, NEW, CANCELED},
               AUTHORIZE: {SCHEDULED, NEW, CANCELED}, **_TAIL},
    "emergency": {NEW: {AUTHORIZE, CANCELED}, AUTHORIZE: {SCHEDULED, NEW, CANCELED}, **_TAIL},
    "standard": {NEW: {SCHEDULED, CANCELED}, **_TAIL},
}  # fmt: skip
_ORDER = [value for value, _ in CHANGE_STATES]
_PLANNING = ("start_date", "end_date", "implementation_plan", "backout_plan", "test_plan")


def state_label(value: str) -> str:
    """The display label of a change state value."""
    return dict(CHANGE_STATES).get(value, value)


def _mandatory(after: Row, names: tuple[str, ...]) -> None:
    fields = all_fields("change_request")
    missing = [fields[name].label for name in names if not after.get(name)]
    if missing:
        raise bad_request(
            "Data Policy Exception", "The following fields are mandatory: " + ", ".join(missing)
        )


def before_write(instance: Instance, before: Row | None, after: Row, user: str) -> Row:
    """Check a change create/update against the state model; return derived field values."""
    old = before["state"] if before else None
    if old in (CLOSED, CANCELED):
        raise acl_denied("Update")  # closed and canceled changes are read-only
    new = after.get("state") or NEW
    kind = after.get("type") or "normal"
    extra: Row = {}
    if before is None:
        if new != NEW:
            raise _invalid(after, None, new, {NEW})
        return extra
    if before.get("type") != after.get("type") and old != NEW:
        raise bad_request("Invalid update", "The change type can only be changed in state New")
    if new == old:
        return extra
    allowed = _NEXT.get(kind, _NEXT["normal"]).get(old or NEW, set())
    if new not in allowed:
        raise _invalid(after, old, new, allowed)
    if new == ASSESS:
        _mandatory(after, ("assignment_group",))
    if new == AUTHORIZE:
        _mandatory(after, ("assignment_group", *_PLANNING))
        if after["end_date"] <= after["start_date"]:
            raise bad_request("Invalid update", "Planned end date must be after planned start date")
        extra["approval"] = "requested"
    if new == SCHEDULED and kind == "standard":
        _mandatory(after, ("start_date", "end_date"))
        extra["approval"] = "approved"  # standard changes are pre-authorized
    elif new == SCHEDULED and after.get("approval") != "approved":
        raise SNError(
            400,
            "Invalid state transition",
            f"Change {after.get('number', '')} cannot move to Scheduled until the CAB approves"
            f" it (approval: {after.get('approval', '')})",
        )
    if new == NEW:
        extra["approval"] = "not requested"
    if new == CLOSED:
        _mandatory(after, ("close_code", "close_notes"))
    if new in (CLOSED, CANCELED):
        extra.update(active="false", closed_at=now_text(), closed_by=instance.user_id(user))
    return extra


def _invalid(after: Row, old: str | None, new: str, allowed: set[str]) -> SNError:
    if new not in _ORDER:
        return bad_request("Invalid value for field state", f"'{new}' is not a valid state")
    names = ", ".join(f"{state_label(s)} ({s})" for s in _ORDER if s in allowed) or "none"
    origin = f"from {state_label(old)} ({old}) " if old else "on creation "
    return SNError(
        400,
        "Invalid state transition",
        f"Change {after.get('number') or 'request'} cannot move {origin}to "
        f"{state_label(new)} ({new}); allowed next states: {names}",
    )


def after_update(instance: Instance, change: Row, old_state: str, user: str) -> None:
    """Create CAB approvals on entering Authorize; cancel pending ones when leaving early."""
    new = change["state"]
    if new == old_state:
        return
    if new == AUTHORIZE:
        group = instance.find("sys_user_group", "name", CAB_GROUP)
        members = [
            m["user"]
            for m in instance.rows("sys_user_grmember")
            if group is not None and m["group"] == group["sys_id"]
        ]
        for approver in members:
            values = {"approver": approver, "state": "requested", "sysapproval": change["sys_id"],
                      "source_table": "change_request", "document_id": change["sys_id"],
                      "due_date": change.get("start_date", "")}  # fmt: skip
            instance.insert("sysapproval_approver", values, user="system")
    elif old_state == AUTHORIZE and new in (NEW, CANCELED):
        for approval in _pending(instance, change):
            instance.update(approval, {"state": "cancelled"}, user=user)


def _pending(instance: Instance, change: Row) -> list[Row]:
    return [
        a
        for a in instance.rows("sysapproval_approver")
        if a["sysapproval"] == change["sys_id"] and a["state"] == "requested"
    ]


def decide(
    instance: Instance, change: Row, *, approve: bool, approver: str | None, comments: str
) -> Row:
    """A CAB member approves or rejects: Scheduled on approval, back to New on rejection."""
    pending = _pending(instance, change)
    if change["state"] != AUTHORIZE or not pending:
        raise SNError(
            409,
            "No pending approval",
            f"Change {change['number']} is in state {state_label(change['state'])} with no "
            "requested approval",
        )
    chosen = pending[0]
    if approver:
        user = instance.get("sys_user", approver) or instance.find(
            "sys_user", "user_name", approver
        )
        matches = [a for a in pending if user is not None and a["approver"] == user["sys_id"]]
        if not matches:
            raise SNError(409, "No pending approval", f"'{approver}' has no requested approval")
        chosen = matches[0]
    person = instance.get("sys_user", chosen["approver"])
    who = person["user_name"] if person else "system"
    verdict = "approved" if approve else "rejected"
    instance.update(chosen, {"state": verdict}, user=who)
    if comments:
        instance.journal("sysapproval_approver", chosen, "comments", comments, user=who)
    for other in pending:
        if other is not chosen:  # the group rule is "anyone approves or rejects"
            instance.update(other, {"state": "not_required"}, user=who)
    state = SCHEDULED if approve else NEW
    instance.update(change, {"approval": verdict, "state": state}, user=who)
    return change
