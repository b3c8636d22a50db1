"""Change tools through the full chain, and a normal change's whole lifecycle.

The CAB's approval is given through the simulator's admin endpoint, as a person would in
ServiceNow: no tool can approve.
"""

from __future__ import annotations

import uuid
from typing import Any

SUMMARY = {"sys_id", "number", "short_description", "state", "type", "priority", "risk",
           "approval", "assigned_to", "assignment_group", "planned_start", "planned_end",
           "updated"}  # fmt: skip
PLAN = {
    "short_description": "Upgrade IOS-XE on par-core-01",
    "implementation_plan": "1. Stage image 2. Reload",
    "backout_plan": "Boot the previous image",
    "test_plan": "Check OSPF neighbours",
    "risk": "moderate",
    "planned_start": "2030-05-01T22:00:00Z",
    "planned_end": "2030-05-01T23:30:00+00:00",
    "assignment_group": "Network Operations",
}


async def test_a_normal_change_walks_its_whole_lifecycle(stack: Any, fresh: Any) -> None:
    key = f"wf-{uuid.uuid4().hex}"
    created = await stack.data("create_change", {
        **PLAN, "configuration_items": ["par-core-01", "par-dist-01"], "correlation_id": key,
    })  # fmt: skip
    number = created["number"]
    assert created["created"] is True and created["state"] == "New"
    assert created["type"] == "Normal" and created["risk"] == "Moderate"
    assert created["configuration_item"] == "par-core-01"
    assert "Affected CIs: par-core-01, par-dist-01" in created["description"]
    assert created["planned_start"] == "2030-05-01 22:00:00"

    async def move(state: str, **extra: Any) -> dict[str, Any]:
        result: dict[str, Any] = await stack.data(
            "update_change", {"change": number, "state": state, **extra}
        )
        return result

    assert (await move("assess"))["state"] == "Assess"
    authorize = await move("authorize", work_notes="Ready for CAB")
    assert authorize["state"] == "Authorize" and authorize["approval"] == "Requested"
    pending = await stack.data("get_change_approvals", {"change": number})
    assert {a["approver"] for a in pending["approvals"]} == {"Diane Chen", "Evan Wright"}
    assert {a["state"] for a in pending["approvals"]} == {"Requested"}

    early = await stack.error("update_change", {"change": number, "state": "implement"})
    assert "Invalid state transition" in early and "allowed next states" in early

    fresh.approve(number, approver="diane.chen")  # a person decides, outside the tools
    scheduled = await stack.data("get_change", {"change": number})
    assert scheduled["state"] == "Scheduled" and scheduled["approval"] == "Approved"
    decided = await stack.data("get_change_approvals", {"change": created["sys_id"]})
    assert {a["approver"]: a["state"] for a in decided["approvals"]} == {
        "Diane Chen": "Approved", "Evan Wright": "No Longer Required",
    }  # fmt: skip

    assert (await move("implement", work_notes="Reloading now"))["state"] == "Implement"
    assert (await move("review"))["state"] == "Review"
    closed = await move("closed", close_code="successful", close_notes="Upgrade done")
    assert closed["state"] == "Closed" and closed["close_code"] == "Successful"
    assert closed["closed_at"] and "Reloading now" in closed["work_notes"]
    after = await stack.error("update_change", {"change": number, "work_notes": "late"})
    assert "HTTP 403" in after


async def test_a_retried_create_with_the_same_correlation_id_returns_the_first_change(
    stack: Any, fresh: Any
) -> None:
    key = f"wf-{uuid.uuid4().hex}"
    first = await stack.data("create_change", {**PLAN, "correlation_id": key})
    again = await stack.data("create_change", {**PLAN, "correlation_id": key})
    assert again["created"] is False and again["number"] == first["number"]
    assert fresh.requests("POST /api/sn_chg_rest/v1/change/normal") == 1
    found = await stack.data("search_changes", {"correlation_id": key})
    assert found["total"] == 1 and found["changes"][0]["number"] == first["number"]


async def test_search_returns_summaries_and_details_on_request(stack: Any, fresh: Any) -> None:
    await stack.data("create_change", PLAN)
    page = await stack.data("search_changes", {
        "state": ["new"], "text": "IOS-XE", "assignment_group": "Network Operations",
        "starts_after": "2030-01-01T00:00:00Z", "starts_before": "2031-01-01T00:00:00Z",
        "active": True, "query": "risk=3",
    })  # fmt: skip
    assert page["total"] == 1 and set(page["changes"][0]) == SUMMARY
    detailed = await stack.data("search_changes", {"state": ["closed"], "details": True})
    (history,) = detailed["changes"]
    assert history["close_code"] == "Successful" and history["configuration_item"] == "lon-acc-01"


async def test_get_accepts_a_number_or_a_sys_id_and_reports_unknown_ones(
    stack: Any, fresh: Any
) -> None:
    by_number = await stack.data("get_change", {"change": "CHG0030001"})
    assert by_number["state"] == "Closed" and by_number["implementation_plan"] is None
    assert await stack.data("get_change", {"change": by_number["sys_id"]}) == by_number
    message = await stack.error("get_change", {"change": "CHG0099999"})
    assert "HTTP 404" in message and "no change request numbered CHG0099999" in message
    approvals = await stack.error("get_change_approvals", {"change": "CHG0099999"})
    assert "HTTP 404" in approvals


async def test_a_change_never_authorized_has_no_approvals(stack: Any, fresh: Any) -> None:
    created = await stack.data("create_change", PLAN)
    result = await stack.data("get_change_approvals", {"change": created["number"]})
    assert result["approvals"] == [] and result["approval"] == "Not Yet Requested"


async def test_create_reports_servicenows_validation_message(stack: Any, fresh: Any) -> None:
    message = await stack.error("create_change", {**PLAN, "assignment_group": "No Such Team"})
    assert "HTTP 400" in message and "Invalid value for field assignment_group" in message


async def test_authorize_without_a_window_reports_servicenows_mandatory_fields(
    stack: Any, fresh: Any
) -> None:
    plan = {k: v for k, v in PLAN.items() if k not in ("planned_start", "planned_end")}
    number = (await stack.data("create_change", plan))["number"]
    await stack.data("update_change", {"change": number, "state": "assess"})
    message = await stack.error("update_change", {"change": number, "state": "authorize"})
    assert "Data Policy Exception" in message and "Planned start date" in message


async def test_unknown_cis_and_bad_windows_are_refused_before_creating(
    stack: Any, fresh: Any
) -> None:
    message = await stack.error("create_change", {**PLAN, "configuration_items": ["nope-01"]})
    assert "no CI named 'nope-01'" in message
    backwards = {**PLAN, "planned_end": "2030-05-01T21:00:00Z"}
    assert "planned_end must be after" in await stack.error("create_change", backwards)
    assert fresh.requests("POST /api/sn_chg_rest/v1/change/normal") == 0


async def test_closing_needs_a_close_code_and_notes_before_any_call(stack: Any, fresh: Any) -> None:
    fresh.clear_stats()
    message = await stack.error("update_change", {"change": "CHG0030001", "state": "closed",
                                                 "close_code": "successful"})  # fmt: skip
    assert "close_code and close_notes" in message
    assert "scheduled" not in str(await _state_enum(stack))
    assert fresh.stats()["total"] == 0


async def _state_enum(stack: Any) -> list[str]:
    """The states update_change accepts, from its published schema."""
    async with stack.client() as c:
        tool = next(t for t in await c.list_tools() if t.name == "update_change")
    return list(tool.input_schema["properties"]["state"]["anyOf"][0]["enum"])
