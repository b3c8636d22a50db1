"""Incident business rules: mandatory fields, priority, resolve/close/reopen, locked records."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

INCIDENTS = "/api/now/table/incident"
RESOLVE = {"state": "6", "close_code": "Solution provided", "close_notes": "Replaced the SFP."}


def create(sn: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = sn.post(INCIDENTS, json={"short_description": "Uplink down", **fields})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()["result"]
    return result


def patch(sn: httpx.Client, sys_id: str, **fields: Any) -> httpx.Response:
    return sn.patch(f"{INCIDENTS}/{sys_id}", json=fields)


@pytest.mark.parametrize("value", ["", "   "])
def test_short_description_is_mandatory_on_create_and_update(sn: httpx.Client, value: str) -> None:
    response = sn.post(INCIDENTS, json={"short_description": value})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Data Policy Exception"
    assert "Short description" in response.json()["error"]["detail"]
    record = create(sn)
    assert patch(sn, record["sys_id"], short_description=value).status_code == 400


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [("1", "1", "1"), ("1", "2", "2"), ("2", "2", "3"), ("2", "3", "4"), ("3", "3", "5")],
)
def test_priority_is_computed_from_impact_and_urgency(
    sn: httpx.Client, impact: str, urgency: str, priority: str
) -> None:
    assert create(sn, impact=impact, urgency=urgency)["priority"] == priority


@pytest.mark.parametrize(
    "fields",
    [
        {"state": "6"},
        {"state": "6", "close_code": "Solution provided"},
        {"state": "6", "close_notes": "done"},
        {"state": "7", "close_notes": "done"},
    ],
)
def test_resolving_or_closing_requires_close_code_and_close_notes(
    sn: httpx.Client, fields: dict[str, str]
) -> None:
    record = create(sn)
    response = patch(sn, record["sys_id"], **fields)
    assert response.status_code == 400
    assert "close_code and close_notes" in response.json()["error"]["detail"]
    assert sn.get(f"{INCIDENTS}/{record['sys_id']}").json()["result"]["state"] == "1"


def test_resolving_sets_resolution_fields(sn: httpx.Client) -> None:
    record = create(sn)
    resolved = patch(sn, record["sys_id"], **RESOLVE).json()["result"]
    assert (resolved["state"], resolved["incident_state"]) == ("6", "6")
    assert resolved["resolved_at"] and resolved["resolved_by"]["value"]
    assert resolved["close_code"] == "Solution provided"
    assert resolved["active"] == "true"


def test_an_unknown_resolution_code_is_rejected(sn: httpx.Client) -> None:
    record = create(sn)
    response = patch(sn, record["sys_id"], **{**RESOLVE, "close_code": "Fixed"})
    assert response.status_code == 400
    assert "close_code" in response.json()["error"]["message"]


def test_reopening_a_resolved_incident_clears_the_resolution(sn: httpx.Client) -> None:
    record = create(sn)
    patch(sn, record["sys_id"], **RESOLVE)
    reopened = patch(sn, record["sys_id"], state="2").json()["result"]
    assert reopened["state"] == "2"
    assert reopened["resolved_at"] == "" and reopened["resolved_by"] == ""


def test_closing_deactivates_and_then_the_incident_is_read_only(sn: httpx.Client) -> None:
    record = create(sn)
    closed = patch(sn, record["sys_id"], **{**RESOLVE, "state": "7"}).json()["result"]
    assert closed["active"] == "false" and closed["closed_at"] and closed["resolved_at"]
    locked = patch(sn, record["sys_id"], work_notes="one more thing")
    assert locked.status_code == 403
    assert locked.json()["error"]["detail"] == (
        "ACL Exception Update Failed due to security constraints"
    )


def test_canceling_deactivates_without_resolution_fields(sn: httpx.Client) -> None:
    record = create(sn)
    canceled = patch(sn, record["sys_id"], state="8").json()["result"]
    assert canceled["active"] == "false" and canceled["resolved_at"] == ""
    assert patch(sn, record["sys_id"], state="2").status_code == 403


def test_on_hold_with_a_reason(sn: httpx.Client) -> None:
    record = create(sn)
    held = patch(sn, record["sys_id"], state="3", hold_reason="3").json()["result"]
    assert (held["state"], held["hold_reason"]) == ("3", "3")


def test_correlation_id_is_stored_and_queryable(sn: httpx.Client) -> None:
    record = create(sn, correlation_id="wf-42:incident")
    found = sn.get(INCIDENTS, params={"sysparm_query": "correlation_id=wf-42:incident"})
    assert [r["sys_id"] for r in found.json()["result"]] == [record["sys_id"]]
