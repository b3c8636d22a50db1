"""Incident tools through the full chain (IdP -> server -> policy -> OpenBao -> simulator)."""

from __future__ import annotations

from typing import Any

SUMMARY = {"sys_id", "number", "short_description", "state", "priority", "assigned_to",
           "assignment_group", "updated"}  # fmt: skip


async def test_search_returns_summaries_newest_first_with_paging(stack: Any, fresh: Any) -> None:
    page = await stack.data("search_incidents", {"state": ["in_progress"], "limit": 1})
    assert page["total"] >= 2 and page["next_offset"] == 1 and page["offset"] == 0
    (first,) = page["incidents"]
    assert set(first) == SUMMARY
    assert first["state"] == "In Progress" and first["priority"] == "3 - Moderate"
    assert first["assignment_group"] == "Network Operations"
    following = await stack.data("search_incidents", {"state": ["in_progress"], "offset": 1})
    assert first["number"] not in {i["number"] for i in following["incidents"]}


async def test_search_filters_combine(stack: Any, fresh: Any) -> None:
    hits = await stack.data("search_incidents", {
        "text": "unreachable", "assignment_group": "Network Operations", "priority": [3],
        "active": True, "updated_after": "2024-01-01T00:00:00Z", "query": "category=network",
    })  # fmt: skip
    assert hits["total"] >= 1
    assert all("unreachable" in i["short_description"] for i in hits["incidents"])
    none = await stack.data("search_incidents", {"text": "no such words anywhere"})
    assert none == {"total": 0, "offset": 0, "next_offset": None, "incidents": []}


async def test_search_gives_details_on_request(stack: Any, fresh: Any) -> None:
    page = await stack.data("search_incidents", {"limit": 1, "details": True})
    item = page["incidents"][0]
    assert set(item) > SUMMARY and item["category"] == "Network" and item["description"]


async def test_get_accepts_a_number_or_a_sys_id(stack: Any, fresh: Any) -> None:
    by_number = await stack.data("get_incident", {"incident": "inc0010001"})
    assert by_number["number"] == "INC0010001" and by_number["configuration_item"]
    by_id = await stack.data("get_incident", {"incident": by_number["sys_id"]})
    assert by_id == by_number


async def test_get_reports_an_unknown_incident(stack: Any, fresh: Any) -> None:
    message = await stack.error("get_incident", {"incident": "INC0099999"})
    assert "HTTP 404" in message and "no incident numbered INC0099999" in message
    message = await stack.error("get_incident", {"incident": "f" * 32})
    assert "HTTP 404" in message and "No Record found" in message


async def test_a_reference_that_is_neither_number_nor_sys_id_is_refused(
    stack: Any, fresh: Any
) -> None:
    fresh.clear_stats()
    message = await stack.error("get_incident", {"incident": "CHG0030001"})
    assert "neither an incident number like INC0010001 nor a sys_id" in message
    assert fresh.stats()["total"] == 0


async def test_create_opens_an_incident_with_derived_priority(stack: Any, fresh: Any) -> None:
    created = await stack.data("create_incident", {
        "short_description": "Paris core switch fan failure", "impact": "high",
        "urgency": "high", "category": "hardware", "assignment_group": "Network Operations",
        "configuration_item": "par-core-01", "caller": "Carol Nguyen",
        "correlation_id": "alert-42", "work_notes": "Opened from monitoring",
    })  # fmt: skip
    assert created["number"].startswith("INC") and created["state"] == "New"
    assert created["priority"] == "1 - Critical" and created["caller"] == "Carol Nguyen"
    assert created["configuration_item"] == "par-core-01"
    assert "Opened from monitoring" in created["work_notes"]
    again = await stack.data("get_incident", {"incident": created["number"]})
    assert again["correlation_id"] == "alert-42"


async def test_create_reports_servicenows_validation_message(stack: Any, fresh: Any) -> None:
    message = await stack.error(
        "create_incident", {"short_description": "x", "assignment_group": "No Such Team"}
    )
    assert "HTTP 400" in message and "Invalid value for field assignment_group" in message
    assert "No sys_user_group record matches 'No Such Team'" in message


async def test_update_adds_notes_and_changes_state_and_assignment(stack: Any, fresh: Any) -> None:
    updated = await stack.data("update_incident", {
        "incident": "INC0010001", "work_notes": "Checked the uplink", "comments": "On it",
        "state": "on_hold", "assigned_to": "Alice Martin", "urgency": "high",
    })  # fmt: skip
    assert updated["state"] == "On Hold" and updated["assigned_to"] == "Alice Martin"
    assert "Checked the uplink" in updated["work_notes"] and "On it" in updated["comments"]
    assert updated["urgency"] == "1 - High"


async def test_update_reports_servicenows_message_and_unknown_incidents(
    stack: Any, fresh: Any
) -> None:
    message = await stack.error("update_incident", {"incident": "INC0010001",
                                                   "assigned_to": "Nobody Here"})  # fmt: skip
    assert "Invalid value for field assigned_to" in message
    missing = await stack.error("update_incident", {"incident": "INC0099999", "work_notes": "x"})
    assert "no incident numbered INC0099999" in missing


async def test_an_empty_update_is_refused_before_any_call(stack: Any, fresh: Any) -> None:
    fresh.clear_stats()
    message = await stack.error("update_incident", {"incident": "INC0010001"})
    assert "nothing to update" in message
    assert fresh.stats()["total"] == 0


async def test_resolve_sets_the_resolution(stack: Any, fresh: Any) -> None:
    resolved = await stack.data("resolve_incident", {
        "incident": "INC0010001", "close_code": "Solution provided",
        "close_notes": "Replaced the SFP", "work_notes": "done",
    })  # fmt: skip
    assert resolved["state"] == "Resolved" and resolved["close_code"] == "Solution provided"
    assert resolved["close_notes"] == "Replaced the SFP" and resolved["resolved_at"]


async def test_resolving_a_canceled_incident_reports_servicenows_refusal(
    stack: Any, fresh: Any
) -> None:
    await stack.data("update_incident", {"incident": "INC0010002", "state": "canceled"})
    message = await stack.error("resolve_incident", {
        "incident": "INC0010002", "close_code": "Duplicate", "close_notes": "dup",
    })  # fmt: skip
    assert "HTTP 403" in message and "ACL Exception Update Failed" in message
    missing = await stack.error("resolve_incident", {
        "incident": "INC0099999", "close_code": "Duplicate", "close_notes": "dup",
    })  # fmt: skip
    assert "HTTP 404" in missing


async def test_resolve_needs_a_known_close_code(stack: Any, fresh: Any) -> None:
    fresh.clear_stats()
    message = await stack.error("resolve_incident", {
        "incident": "INC0010001", "close_code": "Fixed it", "close_notes": "x",
    })  # fmt: skip
    assert "close_code" in message
    assert fresh.stats()["total"] == 0
