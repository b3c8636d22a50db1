"""Table API: CRUD, response shapes, display values, paging headers and error envelopes."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

INCIDENTS = "/api/now/table/incident"
NOT_FOUND = {
    "error": {
        "message": "No Record found",
        "detail": "Record doesn't exist or ACL restricts the record retrieval",
    },
    "status": "failure",
}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def create(sn: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = sn.post(INCIDENTS, json={"short_description": "Port flapping", **fields})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()["result"]
    return result


def test_create_returns_201_a_location_and_the_full_record(sn: httpx.Client) -> None:
    response = sn.post(INCIDENTS, json={"short_description": "Port flapping", "impact": "2"})
    assert response.status_code == 201
    record = response.json()["result"]
    assert re.fullmatch(r"[0-9a-f]{32}", record["sys_id"])
    assert record["number"] == "INC0010003"  # two incidents are seeded
    assert record["state"] == "1" and record["active"] == "true"
    assert TIMESTAMP.match(record["sys_created_on"])
    assert record["sys_created_on"] == record["sys_updated_on"]
    assert response.headers["location"].endswith(f"/api/now/table/incident/{record['sys_id']}")
    assert record["opened_by"]["value"]  # the integration user opened it
    assert create(sn)["number"] == "INC0010004"


def test_reference_fields_are_link_and_value_objects(sn: httpx.Client) -> None:
    group = sn.get(
        "/api/now/table/sys_user_group", params={"sysparm_query": "name=Network Operations"}
    ).json()["result"][0]
    record = create(sn, assignment_group=group["sys_id"])
    assert record["assignment_group"] == {
        "link": f"{sn.base_url}/api/now/table/sys_user_group/{group['sys_id']}",
        "value": group["sys_id"],
    }
    assert record["assigned_to"] == ""  # empty references are empty strings


def test_references_can_be_set_by_display_value(sn: httpx.Client) -> None:
    record = create(sn, caller_id="Alice Martin", cmdb_ci="par-core-01")
    shown = sn.get(
        f"{INCIDENTS}/{record['sys_id']}",
        params={"sysparm_display_value": "true", "sysparm_fields": "caller_id,cmdb_ci"},
    ).json()
    assert shown["result"]["caller_id"]["display_value"] == "Alice Martin"
    assert shown["result"]["cmdb_ci"]["display_value"] == "par-core-01"


def test_get_by_sys_id_and_unknown_sys_id_is_the_real_404(sn: httpx.Client) -> None:
    record = create(sn)
    assert sn.get(f"{INCIDENTS}/{record['sys_id']}").json()["result"]["number"] == record["number"]
    missing = sn.get(f"{INCIDENTS}/{'0' * 32}")
    assert missing.status_code == 404
    assert missing.json() == NOT_FOUND


def test_a_record_is_not_found_through_a_table_it_does_not_belong_to(sn: httpx.Client) -> None:
    record = create(sn)
    assert sn.get(f"/api/now/table/change_request/{record['sys_id']}").status_code == 404
    assert sn.get(f"/api/now/table/task/{record['sys_id']}").status_code == 200


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_patch_and_put_update_fields_and_stamps(sn: httpx.Client, method: str) -> None:
    record = create(sn)
    response = sn.request(
        method,
        f"{INCIDENTS}/{record['sys_id']}",
        json={"state": "2", "urgency": "1", "impact": "1"},
    )
    assert response.status_code == 200
    updated = response.json()["result"]
    assert (updated["state"], updated["incident_state"], updated["priority"]) == ("2", "2", "1")
    assert updated["sys_mod_count"] == "1"


def test_delete_returns_204_then_the_record_is_gone(sn: httpx.Client) -> None:
    record = create(sn)
    response = sn.delete(f"{INCIDENTS}/{record['sys_id']}")
    assert response.status_code == 204 and response.content == b""
    assert sn.get(f"{INCIDENTS}/{record['sys_id']}").status_code == 404
    assert sn.delete(f"{INCIDENTS}/{record['sys_id']}").json() == NOT_FOUND


def test_unknown_and_read_only_fields_are_silently_ignored(sn: httpx.Client) -> None:
    record = create(sn, no_such_field="x", number="INC9999999", priority="1")
    assert "no_such_field" not in record
    assert record["number"] != "INC9999999"
    assert record["priority"] == "5"  # computed from impact 3 x urgency 3


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"impact": "9"}, "impact"),
        ({"state": "4"}, "state"),
        ({"urgency": "High"}, "urgency"),
        ({"assignment_group": "No Such Group"}, "assignment_group"),
        ({"category": {"a": 1}}, "category"),
    ],
)
def test_invalid_field_values_are_400_with_the_error_envelope(
    sn: httpx.Client, fields: dict[str, Any], field: str
) -> None:
    response = sn.post(INCIDENTS, json={"short_description": "x", **fields})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "failure"
    assert field in body["error"]["message"] and body["error"]["detail"]


def test_choice_labels_are_accepted_with_sysparm_input_display_value(sn: httpx.Client) -> None:
    response = sn.post(
        INCIDENTS,
        params={"sysparm_input_display_value": "true"},
        json={"short_description": "x", "urgency": "1 - High"},
    )
    assert response.json()["result"]["urgency"] == "1"


def test_display_value_true_and_all(sn: httpx.Client) -> None:
    record = create(sn, caller_id="Alice Martin")
    url = f"{INCIDENTS}/{record['sys_id']}"
    shown = sn.get(url, params={"sysparm_display_value": "true"}).json()["result"]
    assert shown["state"] == "New" and shown["impact"] == "3 - Low"
    assert shown["caller_id"]["display_value"] == "Alice Martin"
    both = sn.get(url, params={"sysparm_display_value": "all"}).json()["result"]
    assert both["state"] == {"display_value": "New", "value": "1"}
    assert both["caller_id"]["value"] == record["caller_id"]["value"]
    assert both["caller_id"]["display_value"] == "Alice Martin"
    plain = sn.get(
        url, params={"sysparm_display_value": "true", "sysparm_exclude_reference_link": "true"}
    ).json()
    assert plain["result"]["caller_id"] == "Alice Martin"


def test_sysparm_fields_selects_and_dot_walks(sn: httpx.Client) -> None:
    record = create(sn, caller_id="Alice Martin")
    result = sn.get(
        f"{INCIDENTS}/{record['sys_id']}", params={"sysparm_fields": "number,caller_id.email,bogus"}
    ).json()["result"]
    assert result == {"number": record["number"], "caller_id.email": "alice.martin@example.com"}


def test_limit_offset_total_count_and_link_header(sn: httpx.Client) -> None:
    for index in range(5):
        create(sn, short_description=f"bulk {index}")
    params = {
        "sysparm_query": "short_descriptionSTARTSWITHbulk^ORDERBYnumber",
        "sysparm_limit": "2",
        "sysparm_offset": "2",
        "sysparm_fields": "short_description",
    }
    response = sn.get(INCIDENTS, params=params)
    assert response.headers["x-total-count"] == "5"
    assert [r["short_description"] for r in response.json()["result"]] == ["bulk 2", "bulk 3"]
    links = dict(
        (rel, url) for url, rel in re.findall(r'<([^>]+)>;rel="(\w+)"', response.headers["link"])
    )
    assert set(links) == {"first", "prev", "next", "last"}
    assert "sysparm_offset=4" in links["next"] and "sysparm_offset=4" in links["last"]
    assert "sysparm_offset=0" in links["prev"] and "sysparm_offset=0" in links["first"]
    last_page = sn.get(links["last"])
    assert [r["short_description"] for r in last_page.json()["result"]] == ["bulk 4"]
    assert 'rel="next"' not in last_page.headers["link"]


def test_default_limit_returns_everything_up_to_10000(sn: httpx.Client) -> None:
    response = sn.get("/api/now/table/cmdb_ci")
    assert len(response.json()["result"]) == int(response.headers["x-total-count"]) == 26


@pytest.mark.parametrize("params", [{"sysparm_limit": "ten"}, {"sysparm_offset": "-1"}])
def test_invalid_paging_parameters_are_400(sn: httpx.Client, params: dict[str, str]) -> None:
    assert sn.get(INCIDENTS, params=params).status_code == 400


def test_unknown_table_and_unknown_path_are_400(sn: httpx.Client) -> None:
    response = sn.get("/api/now/table/u_nothing")
    assert response.status_code == 400
    assert response.json() == {
        "error": {"message": "Invalid table u_nothing", "detail": None},
        "status": "failure",
    }
    assert sn.get("/api/now/nothing").json()["error"]["message"] == (
        "Requested URI does not represent any resource"
    )


def test_invalid_json_body_is_400(sn: httpx.Client) -> None:
    response = sn.post(
        INCIDENTS, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Exception while reading request"


@pytest.mark.parametrize("table", ["sys_user", "sys_user_group", "sys_journal_field"])
def test_reference_tables_are_read_only_for_the_integration_user(
    sn: httpx.Client, table: str
) -> None:
    response = sn.post(f"/api/now/table/{table}", json={"name": "x"})
    assert response.status_code == 403
    assert response.json()["error"] == {
        "message": "Operation Failed",
        "detail": "ACL Exception Insert Failed due to security constraints",
    }


def test_work_notes_and_comments_go_to_the_journal(sn: httpx.Client) -> None:
    record = create(sn, work_notes="first note")
    sn.patch(
        f"{INCIDENTS}/{record['sys_id']}",
        json={"work_notes": "second note", "comments": "to the caller"},
    )
    journal = sn.get(
        "/api/now/table/sys_journal_field",
        params={
            "sysparm_query": f"element_id={record['sys_id']}^element=work_notes"
            "^ORDERBYsys_created_on",
        },
    ).json()["result"]
    assert [entry["value"] for entry in journal] == ["first note", "second note"]
    assert all(entry["name"] == "incident" for entry in journal)
    url = f"{INCIDENTS}/{record['sys_id']}"
    assert sn.get(url).json()["result"]["work_notes"] == ""  # like the real API
    shown = sn.get(url, params={"sysparm_display_value": "true"}).json()["result"]
    assert shown["work_notes"].index("second note") < shown["work_notes"].index("first note")
    assert "(Work notes)" in shown["work_notes"] and "to the caller" in shown["comments"]


def test_a_client_supplied_sys_id_is_kept_on_insert(sn: httpx.Client) -> None:
    wanted = "a" * 32
    assert create(sn, sys_id=wanted)["sys_id"] == wanted
    duplicate = sn.post(INCIDENTS, json={"short_description": "x", "sys_id": wanted})
    assert duplicate.status_code == 400


def test_an_unsupported_method_is_405(sn: httpx.Client) -> None:
    response = sn.delete(INCIDENTS)
    assert response.status_code == 405
    assert response.json()["error"]["message"] == "Method not Supported"
