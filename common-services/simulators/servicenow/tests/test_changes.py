"""Normal change lifecycle through sn_chg_rest, CAB approvals, and state model enforcement."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

NORMAL = "/api/sn_chg_rest/v1/change/normal"
APPROVALS = "/api/now/table/sysapproval_approver"
PLAN = {
    "start_date": "2031-03-01 22:00:00",
    "end_date": "2031-03-01 23:00:00",
    "implementation_plan": "Push template",
    "backout_plan": "Restore config",
    "test_plan": "Ping gateways",
}


def create(sn: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {
        "short_description": "Deploy VLAN template",
        "assignment_group": "Network Operations",
        "cmdb_ci": "par-acc-01",
        **fields,
    }
    response = sn.post(NORMAL, json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["result"]
    return result


def move(sn: httpx.Client, change: dict[str, Any], state: str, **fields: Any) -> httpx.Response:
    return sn.patch(f"{NORMAL}/{change['sys_id']['value']}", json={"state": state, **fields})


def to_authorize(sn: httpx.Client, change: dict[str, Any]) -> dict[str, Any]:
    assert move(sn, change, "-4").status_code == 200
    response = move(sn, change, "-3", **PLAN)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["result"]
    return result


def approvals(sn: httpx.Client, change: dict[str, Any]) -> list[dict[str, Any]]:
    response = sn.get(
        APPROVALS,
        params={
            "sysparm_query": f"sysapproval={change['sys_id']['value']}^ORDERBYsys_created_on",
            "sysparm_display_value": "true",
            "sysparm_exclude_reference_link": "true",
        },
    )
    result: list[dict[str, Any]] = response.json()["result"]
    return result


def test_create_normal_returns_value_display_pairs_and_ignored_fields(sn: httpx.Client) -> None:
    response = sn.post(
        NORMAL,
        params={"category": "Network"},
        json={"short_description": "Deploy", "no_such_field": "x"},
    )
    assert response.status_code == 200
    change = response.json()["result"]
    assert change["number"] == {"display_value": "CHG0030002", "value": "CHG0030002"}
    assert change["state"] == {"display_value": "New", "value": "-5"}
    assert change["type"] == {"display_value": "Normal", "value": "normal"}
    assert change["category"]["value"] == "Network"  # URL parameters set fields too
    assert change["approval"]["value"] == "not requested"
    assert len(change["sys_id"]["value"]) == 32
    assert change["sys_created_on"]["display_value_internal"] == change["sys_created_on"]["value"]
    assert change["__meta"] == {"ignoredFields": ["no_such_field"]}


def test_reference_fields_carry_their_display_value(sn: httpx.Client) -> None:
    change = create(sn)
    assert change["cmdb_ci"]["display_value"] == "par-acc-01"
    assert change["assignment_group"]["display_value"] == "Network Operations"
    fetched = sn.get(f"{NORMAL}/{change['sys_id']['value']}").json()["result"]
    assert fetched["number"] == change["number"] and "__meta" not in fetched


def test_full_lifecycle_with_cab_approval(sn: httpx.Client, anon: httpx.Client) -> None:
    change = create(sn, correlation_id="deploy-7f3a")
    assert move(sn, change, "-4").json()["result"]["state"]["display_value"] == "Assess"
    authorized = to_authorize(sn, change)
    assert authorized["state"]["value"] == "-3"
    assert authorized["approval"]["value"] == "requested"
    pending = approvals(sn, change)
    assert [(a["approver"], a["state"]) for a in pending] == [
        ("Diane Chen", "Requested"),
        ("Evan Wright", "Requested"),
    ]
    assert all(a["sysapproval"] == change["number"]["value"] for a in pending)

    number = change["number"]["value"]
    decided = anon.post(
        f"/sandbox/changes/{number}/approve",
        json={"approver": "evan.wright", "comments": "Low risk"},
    )
    assert decided.status_code == 200
    assert decided.json()["result"]["state"]["display_value"] == "Scheduled"
    assert [a["state"] for a in approvals(sn, change)] == ["No Longer Required", "Approved"]
    assert "Low risk" in approvals(sn, change)[1]["comments"]
    scheduled = sn.get(f"{NORMAL}/{change['sys_id']['value']}").json()["result"]
    assert scheduled["approval"]["value"] == "approved"

    assert move(sn, change, "-1").json()["result"]["state"]["display_value"] == "Implement"
    assert move(sn, change, "0").json()["result"]["state"]["display_value"] == "Review"
    missing = move(sn, change, "3")
    assert missing.status_code == 400
    assert "Close code" in missing.json()["error"]["detail"]
    closed = move(sn, change, "3", close_code="successful", close_notes="Template deployed")
    result = closed.json()["result"]
    assert result["state"] == {"display_value": "Closed", "value": "3"}
    assert result["active"]["value"] == "false" and result["closed_at"]["value"]
    assert move(sn, change, "3", work_notes="late note").status_code == 403  # read-only now


def test_rejection_sends_the_change_back_to_new(sn: httpx.Client, anon: httpx.Client) -> None:
    change = to_authorize(sn, create(sn))
    rejected = anon.post(
        f"/sandbox/changes/{change['sys_id']['value']}/reject",
        json={"comments": "Not during quarter close"},
    )
    assert rejected.status_code == 200
    result = rejected.json()["result"]
    assert result["state"]["value"] == "-5" and result["approval"]["value"] == "rejected"
    assert [a["state"] for a in approvals(sn, change)] == ["Rejected", "No Longer Required"]
    # it can be re-submitted: a new round of approvals is requested
    again = to_authorize(sn, change)
    assert again["approval"]["value"] == "requested"
    assert [a["state"] for a in approvals(sn, change)][-2:] == ["Requested", "Requested"]


def test_approving_without_a_pending_approval_is_a_conflict(
    anon: httpx.Client, sn: httpx.Client
) -> None:
    change = create(sn)
    response = anon.post(f"/sandbox/changes/{change['number']['value']}/approve", json={})
    assert response.status_code == 409
    unknown = anon.post("/sandbox/changes/CHG9999999/approve", json={})
    assert unknown.status_code == 404
    to_authorize(sn, change)
    stranger = anon.post(
        f"/sandbox/changes/{change['number']['value']}/approve", json={"approver": "alice.martin"}
    )
    assert stranger.status_code == 409


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_the_integration_user_cannot_approve_through_the_table_api(
    sn: httpx.Client, method: str
) -> None:
    change = to_authorize(sn, create(sn))
    approval = sn.get(
        APPROVALS, params={"sysparm_query": f"sysapproval={change['sys_id']['value']}"}
    ).json()["result"][0]
    body = {"state": "approved"} if method != "DELETE" else None
    response = sn.request(method, f"{APPROVALS}/{approval['sys_id']}", json=body)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Operation Failed"
    assert sn.get(f"{APPROVALS}/{approval['sys_id']}").json()["result"]["state"] == "requested"


def test_approval_cannot_be_forged_on_the_change_itself(sn: httpx.Client) -> None:
    change = to_authorize(sn, create(sn))
    response = move(sn, change, "-2", approval="approved")
    assert response.status_code == 400
    assert "CAB" in response.json()["error"]["detail"]


@pytest.mark.parametrize(
    ("path", "target"),
    [([], "-2"), ([], "-3"), ([], "0"), ([], "3"), (["-4"], "-1"), (["-4"], "3")],
)
def test_invalid_transitions_are_400_with_the_allowed_states(
    sn: httpx.Client, path: list[str], target: str
) -> None:
    change = create(sn)
    for state in path:
        assert move(sn, change, state).status_code == 200
    response = move(sn, change, target)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == "Invalid state transition"
    assert "allowed next states" in error["detail"]


def test_an_unknown_state_value_is_rejected(sn: httpx.Client) -> None:
    response = move(sn, create(sn), "99")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Invalid value for field state")


def test_review_cannot_be_canceled(sn: httpx.Client, anon: httpx.Client) -> None:
    change = to_authorize(sn, create(sn))
    anon.post(f"/sandbox/changes/{change['number']['value']}/approve", json={})
    move(sn, change, "-1")
    move(sn, change, "0")
    assert move(sn, change, "4").status_code == 400


def test_authorize_requires_the_planning_fields(sn: httpx.Client) -> None:
    change = create(sn)
    move(sn, change, "-4")
    response = move(sn, change, "-3")
    assert response.status_code == 400
    assert "Planned start date" in response.json()["error"]["detail"]
    backwards = move(sn, change, "-3", **{**PLAN, "end_date": "2031-03-01 21:00:00"})
    assert backwards.status_code == 400


def test_assess_requires_an_assignment_group(sn: httpx.Client) -> None:
    change = create(sn, assignment_group="")
    assert move(sn, change, "-4").status_code == 400


def test_invalid_dates_are_rejected(sn: httpx.Client) -> None:
    response = sn.post(NORMAL, json={"short_description": "x", "start_date": "next tuesday"})
    assert response.status_code == 400
    assert "start_date" in response.json()["error"]["message"]


def test_cancel_from_authorize_cancels_pending_approvals(sn: httpx.Client) -> None:
    change = to_authorize(sn, create(sn))
    canceled = move(sn, change, "4").json()["result"]
    assert canceled["state"]["display_value"] == "Canceled"
    assert canceled["active"]["value"] == "false"
    assert [a["state"] for a in approvals(sn, change)] == ["Cancelled", "Cancelled"]


def test_revert_to_new_from_authorize(sn: httpx.Client) -> None:
    change = to_authorize(sn, create(sn))
    reverted = move(sn, change, "-5").json()["result"]
    assert reverted["approval"]["value"] == "not requested"
    assert {a["state"] for a in approvals(sn, change)} == {"Cancelled"}


def test_the_table_api_enforces_the_same_state_model(sn: httpx.Client) -> None:
    table = "/api/now/table/change_request"
    created = sn.post(table, json={"short_description": "via table"}).json()["result"]
    assert created["state"] == "-5" and created["type"] == "normal"
    response = sn.patch(f"{table}/{created['sys_id']}", json={"state": "-1"})
    assert response.status_code == 400
    assert sn.post(table, json={"short_description": "x", "state": "-2"}).status_code == 400


def test_standard_changes_skip_approval(sn: httpx.Client) -> None:
    table = "/api/now/table/change_request"
    created = sn.post(table, json={"short_description": "std", "type": "standard"}).json()
    sys_id = created["result"]["sys_id"]
    scheduled = sn.patch(f"{table}/{sys_id}", json={"state": "-2", **PLAN}).json()["result"]
    assert (scheduled["state"], scheduled["approval"]) == ("-2", "approved")


def test_correlation_id_finds_the_change_for_idempotency(sn: httpx.Client) -> None:
    change = create(sn, correlation_id="wf-9b1e")
    create(sn, correlation_id="wf-other")
    table = sn.get(
        "/api/now/table/change_request", params={"sysparm_query": "correlation_id=wf-9b1e"}
    ).json()["result"]
    assert [c["sys_id"] for c in table] == [change["sys_id"]["value"]]
    listed = sn.get(NORMAL, params={"sysparm_query": "correlation_id=wf-9b1e"})
    assert listed.headers["x-total-count"] == "1"
    assert listed.json()["result"][0]["number"] == change["number"]


def test_unknown_change_is_404_and_the_generic_route_works(sn: httpx.Client) -> None:
    assert sn.get(f"{NORMAL}/{'f' * 32}").status_code == 404
    change = create(sn)
    generic = sn.get(f"/api/sn_chg_rest/change/{change['sys_id']['value']}")
    assert generic.json()["result"]["number"] == change["number"]
    patched = sn.patch(
        f"/api/sn_chg_rest/v1/change/{change['sys_id']['value']}",
        json={"work_notes": "checked", "bogus": 1},
    )
    assert patched.json()["result"]["__meta"] == {"ignoredFields": ["bogus"]}
