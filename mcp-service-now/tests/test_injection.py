"""Query injection attempts are refused by the server before any call to ServiceNow."""

from __future__ import annotations

from typing import Any

import pytest

PLAN = {"short_description": "x", "implementation_plan": "a", "backout_plan": "b"}
ATTEMPTS: list[tuple[str, dict[str, Any], str]] = [
    ("search_incidents", {"text": "router^ORactive=false"}, "'^'"),
    ("search_incidents", {"assignment_group": "Service Desk^NQactive=false"}, "'^'"),
    ("search_incidents", {"assigned_to": "x\nactive=false"}, "line breaks"),
    ("search_incidents", {"configuration_item": "par-core-01;x"}, "';'"),
    ("search_incidents", {"query": "active=true^ORactive=false"}, "AND-ed"),
    ("search_incidents", {"query": "active=true^NQsys_idISNOTEMPTY"}, "AND-ed"),
    ("search_incidents", {"query": "priority=1^ORDERBYnumber"}, "AND-ed"),
    ("search_incidents", {"query": "short_descriptionLIKEjavascript:gs.getUser()"}, "javascript:"),
    ("search_incidents", {"query": "caller_id.password=x"}, "cannot be used"),
    ("search_incidents", {"query": "sys_idINjavascript:new GlideRecord('sys_user')"}, "javascript"),
    ("search_changes", {"correlation_id": "wf^ORsys_idISNOTEMPTY"}, "'^'"),
    ("search_changes", {"text": "gs.sleep(10000)"}, "'gs.'"),
    ("search_changes", {"query": "risk=3^EQ"}, "AND-ed"),
    ("get_incident", {"incident": "INC0010001^ORnumber>0"}, "neither"),
    ("get_change", {"change": "javascript:gs.getUser()"}, "neither"),
    ("get_change_approvals", {"change": "CHG0030001^NQ"}, "neither"),
    ("update_incident", {"incident": "INC0010001",
                         "assignment_group": "javascript:gs.getUserID()"}, "javascript:"),
    ("create_incident", {"short_description": "x", "caller": "x^ORy"}, "'^'"),
    ("create_change", {**PLAN, "correlation_id": "a^NQb"}, "'^'"),
    ("create_change", {**PLAN, "configuration_items": ["par-core-01^ORname=x"]}, "'^'"),
    ("update_change", {"change": "CHG0030001", "assigned_to": "gs.getUser()"}, "'gs.'"),
    ("lookup_ci", {"name": "par^NQname=x"}, "'^'"),
    ("get_ci_relations", {"ci": "par-core-01^ORname>a"}, "'^'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("tool", "args", "reason"), ATTEMPTS, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(ATTEMPTS)]
)
async def test_injection_is_refused_before_any_backend_call(
    stack: Any, simulator: Any, tool: str, args: dict[str, Any], reason: str
) -> None:
    simulator.clear_stats()
    message = await stack.error(tool, args)
    assert reason in message, message
    stats = simulator.stats()
    assert stats["total"] == 0, stats["requests"]  # not even a token request


async def test_the_same_filters_with_plain_values_do_reach_servicenow(
    stack: Any, simulator: Any
) -> None:
    # The control for the tests above: counting works and plain values pass.
    simulator.clear_stats()
    await stack.data("search_incidents", {"text": "router", "query": "active=true^priority<=3"})
    assert simulator.requests("GET /api/now/table/incident") == 1
