"""Encoded queries (sysparm_query): parser units and every operator over HTTP."""

from __future__ import annotations

import httpx
import pytest

from servicenow_simulator.query import Condition, parse
from servicenow_simulator.seed import seed
from servicenow_simulator.state import Instance

CIS = "/api/now/table/cmdb_ci"


def names(sn: httpx.Client, query: str, table: str = CIS) -> list[str]:
    response = sn.get(table, params={"sysparm_query": query, "sysparm_fields": "name"})
    assert response.status_code == 200, response.text
    assert int(response.headers["x-total-count"]) == len(response.json()["result"])
    return [row["name"] for row in response.json()["result"]]


def test_parse_splits_and_or_new_query_and_order() -> None:
    query = parse("active=true^priority=1^ORpriority=2^NQstate=7^ORDERBYDESCnumber^EQ")
    assert query.groups == (
        (
            (Condition("active", "=", "true"),),
            (Condition("priority", "=", "1"), Condition("priority", "=", "2")),
        ),
        ((Condition("state", "=", "7"),),),
    )
    assert query.order_by == (("number", True),)


@pytest.mark.parametrize(
    ("term", "condition"),
    [
        ("nameLIKEcore", Condition("name", "LIKE", "core")),
        ("nameNOT LIKEcore", Condition("name", "NOT LIKE", "core")),
        ("stateIN1,2", Condition("state", "IN", "1,2")),
        ("stateNOT IN1,2", Condition("state", "NOT IN", "1,2")),
        ("priority>=2", Condition("priority", ">=", "2")),
        ("caller_id.name!=Bob", Condition("caller_id.name", "!=", "Bob")),
        ("assigned_toISEMPTY", Condition("assigned_to", "ISEMPTY", "")),
        ("short_description=a=b^c", Condition("short_description", "=", "a=b")),
    ],
)
def test_parse_conditions(term: str, condition: Condition) -> None:
    assert parse(term).groups[0][0][0] == condition


def test_unparseable_terms_are_reported() -> None:
    assert parse("justtext^name=x").unparsed == ("justtext",)


def test_equals_is_case_insensitive_and_exact(sn: httpx.Client) -> None:
    assert names(sn, "name=PAR-CORE-01") == ["par-core-01"]
    assert names(sn, "name=par-core") == []


def test_not_equals(sn: httpx.Client) -> None:
    result = names(sn, "location.name=Paris-HQ^sys_class_name!=cmdb_ci_ip_switch")
    assert sorted(result) == ["par-rtr-01", "par-wlc-01"]


def test_like_and_not_like(sn: httpx.Client) -> None:
    assert sorted(names(sn, "nameLIKEwlc")) == ["lon-wlc-01", "par-wlc-01", "sjc-wlc-01"]
    assert "par-wlc-01" not in names(sn, "nameNOT LIKEwlc")


def test_startswith_and_endswith(sn: httpx.Client) -> None:
    assert sorted(names(sn, "nameSTARTSWITHlon-acc")) == ["lon-acc-01", "lon-acc-02"]
    assert sorted(names(sn, "nameENDSWITHcore-02")) == ["par-core-02"]


def test_in_and_not_in(sn: httpx.Client) -> None:
    assert sorted(names(sn, "nameINpar-core-01,lon-core-01,nope")) == ["lon-core-01", "par-core-01"]
    assert len(names(sn, "nameNOT INpar-core-01,lon-core-01")) == 24


def test_and_or_and_new_query(sn: httpx.Client) -> None:
    assert sorted(names(sn, "nameSTARTSWITHpar^nameLIKEcore^ORnameLIKErtr")) == [
        "par-core-01",
        "par-core-02",
        "par-rtr-01",
    ]
    assert sorted(names(sn, "name=par-core-01^NQname=sjc-rtr-01")) == ["par-core-01", "sjc-rtr-01"]


def test_orderby_and_orderbydesc(sn: httpx.Client) -> None:
    query = "nameSTARTSWITHlon-^ORDERBYDESCname"
    assert names(sn, query) == sorted(names(sn, "nameSTARTSWITHlon-"), reverse=True)
    by_class = names(sn, "nameSTARTSWITHpar-^ORDERBYsys_class_name^ORDERBYDESCname")
    # cmdb_ci_ip_router < cmdb_ci_ip_switch < cmdb_ci_netgear, then names descending
    assert by_class == [
        "par-rtr-01",
        "par-dist-01",
        "par-core-02",
        "par-core-01",
        "par-acc-03",
        "par-acc-02",
        "par-acc-01",
        "par-wlc-01",
    ]


def test_isempty_and_isnotempty(sn: httpx.Client) -> None:
    assert len(names(sn, "ip_addressISNOTEMPTY")) == 20  # the devices
    assert sorted(names(sn, "ip_addressISEMPTY^sys_class_name=cmdb_ci_appl")) == [
        "Cisco Catalyst Center",
        "Cisco ISE",
    ]


def test_numeric_and_date_comparisons(sn: httpx.Client) -> None:
    incidents = "/api/now/table/incident"
    for index, impact in enumerate(("1", "2", "3")):
        sn.post(incidents, json={"short_description": f"cmp {index}", "impact": impact})
    cmp = "short_descriptionSTARTSWITHcmp^"
    assert len(names_of(sn, cmp + "impact>1")) == 2
    assert len(names_of(sn, cmp + "impact<3")) == 2
    assert len(names_of(sn, cmp + "impact>=2^impact<=2")) == 1
    assert len(names_of(sn, cmp + "impactBETWEEN1@2")) == 2
    assert len(names_of(sn, cmp + "sys_created_on>2025-01-01 00:00:00")) == 3
    assert names_of(sn, "sys_created_on<2025-01-01 00:00:00") == ["INC0010001", "INC0010002"]


def names_of(sn: httpx.Client, query: str) -> list[str]:
    response = sn.get(
        "/api/now/table/incident", params={"sysparm_query": query, "sysparm_fields": "number"}
    )
    return [row["number"] for row in response.json()["result"]]


def test_numeric_comparison_on_negative_change_states(sn: httpx.Client) -> None:
    response = sn.get("/api/now/table/change_request", params={"sysparm_query": "state>0"})
    assert [r["number"] for r in response.json()["result"]] == ["CHG0030001"]  # Closed (3)


def test_dot_walking_through_references(sn: httpx.Client) -> None:
    assert sorted(names(sn, "location.city=London^sys_class_name=cmdb_ci_ip_router")) == [
        "lon-rtr-01"
    ]
    assert names_of(sn, "cmdb_ci.name=sjc-acc-02") == ["INC0010002"]


def test_like_on_a_reference_matches_its_display_value(sn: httpx.Client) -> None:
    assert len(names(sn, "support_groupLIKEnetwork ops^ORsupport_groupLIKEoperations")) == 20


def test_instanceof_matches_a_class_and_its_children(sn: httpx.Client) -> None:
    assert len(names(sn, "sys_class_nameINSTANCEOFcmdb_ci_netgear")) == 20
    assert len(names(sn, "sys_class_nameINSTANCEOFcmdb_ci_ip_router")) == 3


def test_conditions_on_unknown_fields_are_ignored_like_the_default_instance(
    sn: httpx.Client,
) -> None:
    assert names(sn, "u_bogus=1^name=par-core-01") == ["par-core-01"]
    assert len(names(sn, "u_bogus=1")) == 26
    assert names(sn, "not a term^name=par-core-01") == ["par-core-01"]


def test_invalid_query_returns_no_rows_when_the_property_is_set() -> None:
    instance = Instance(invalid_query_returns_no_rows=True)
    seed(instance, integration_user="integration")
    assert instance.select("cmdb_ci", "u_bogus=1^name=par-core-01") == []
    assert len(instance.select("cmdb_ci", "name=par-core-01")) == 1
